// The Debian 13 VM tier: boots Debian 13 (kernel 6.12, systemd 257 as PID 1) under QEMU and runs
// test/vm/in-vm/run-checks.sh there: rootless memory limits through systemd delegation, `testcell setup`,
// Docker job containers, AppArmor, the rootless copy-on-write root. Prints `CHECK name PASS|FAIL detail`
// lines (counted by scripts/test.mjs) and a last line with the wall time.
//   node test/vm/run.mjs            (as root; TESTCELL_VM_CACHE, default /var/tmp/testcell-vm, keeps the image)
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ensureDebianPackages } from '../../scripts/lib/debian.mjs'
import { debian13Image } from './lib/debian13.mjs'
import { prepareVmProject } from './lib/project.mjs'
import { bootVm } from './lib/qemu.mjs'

const repo = resolve(import.meta.dirname, '../..')
const cache = process.env.TESTCELL_VM_CACHE ?? '/var/tmp/testcell-vm'
const started = performance.now()
const since = () => ((performance.now() - started) / 1000).toFixed(0)

if (process.getuid?.() !== 0) {
  console.log('CHECK debian13_vm_tier FAIL needs root (mmdebstrap, mke2fs of a root-owned tree)')
  process.exit(1)
}
const missing = ensureDebianPackages(['qemu-system-x86', 'mmdebstrap', 'e2fsprogs', 'busybox-static', 'cpio', 'xz-utils', 'zstd', 'binutils'])
if (missing) {
  console.log(`CHECK debian13_vm_tier FAIL ${missing}`)
  process.exit(1)
}

const image = debian13Image(cache)
console.error(`debian13-vm: image ${image.built ? `built in ${image.seconds.toFixed(0)} s` : 'cached'} (kernel ${image.release}) at ${since()} s`)
const project = await prepareVmProject(cache)
console.error(`debian13-vm: project ready at ${since()} s`)

// The second disk: Node (the host's, trixie's libraries fit it), the project, the in-VM scripts.
const stage = join(cache, 'data')
rmSync(stage, { recursive: true, force: true })
mkdirSync(join(stage, 'node/bin'), { recursive: true })
copyFileSync(process.execPath, join(stage, 'node/bin/node'))
chmodSync(join(stage, 'node/bin/node'), 0o755)
cpSync(project, join(stage, 'project'), { recursive: true, verbatimSymlinks: true })
cpSync(join(repo, 'test/vm/in-vm'), join(stage, 'vm'), { recursive: true })
execFileSync('chown', ['-R', '1000:1000', join(stage, 'project')])
chmodSync(stage, 0o755)
const data = join(cache, 'data.img')
const dataMb = Math.ceil(Number(execFileSync('du', ['-sm', stage], { encoding: 'utf8' }).split('\t')[0]) * 1.3 + 128)
execFileSync('mke2fs', ['-q', '-t', 'ext4', '-d', stage, '-F', data, `${dataMb}M`])
rmSync(stage, { recursive: true, force: true })
console.error(`debian13-vm: data disk ready at ${since()} s, booting`)

const lines = []
const vm = await bootVm({
  kernel: image.kernel,
  initrd: image.initrd,
  append: 'console=ttyS0 quiet panic=-1 systemd.show_status=0 loglevel=3',
  drives: [{ file: image.image }, { file: data }],
  memMb: 3072,
  smp: 2,
  timeoutMs: 20 * 60_000,
  consoleLog: join(cache, 'console.log'),
  outputLog: join(cache, 'checks.log'),
  onLine: (line) => {
    lines.push(line)
    if (/^(CHECK|INFO) /.test(line)) console.log(line)
  },
})
rmSync(data, { force: true })
const done = lines.some((l) => l.startsWith('VMCHECKS_DONE'))
if (!done) {
  const tail = readFileSync(join(cache, 'console.log'), 'utf8').replaceAll('\r', '').split('\n').slice(-30).join('\n')
  console.error(tail)
  console.log(
    `CHECK debian13_vm_finished FAIL the VM stopped before the checks ended (${vm.timedOut ? 'timeout' : `qemu exit ${vm.code}`}; console in ${cache}/console.log)`,
  )
}
const passed = lines.filter((l) => /^CHECK \S+ PASS/.test(l)).length
const failed = lines.filter((l) => /^CHECK \S+ FAIL/.test(l)).length
console.log(
  `debian13-vm: ${passed} passed, ${failed} failed; wall ${since()} s (image ${image.built ? `built ${image.seconds.toFixed(0)} s` : 'cached'}, VM ${vm.seconds.toFixed(0)} s under ${vm.accel})`,
)
process.exit(failed === 0 && done ? 0 : 1)
