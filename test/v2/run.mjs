// The cgroup-v2-vm tier: boots Debian's stock kernel (this host's linux-image-amd64, unpacked, not
// installed; with `--kernel trixie`, Debian 13's 6.12) under QEMU with a pure cgroup v2 hierarchy, from a
// busybox initramfs holding Node and @testcell/core as npm installs it, and runs test/v2/in-vm.sh there (or
// the script given, e.g. `node test/v2/run.mjs test/v2/memory-checks.sh --kernel trixie`). Prints its CHECK
// lines and a summary line.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ensureDebianPackages } from '../../scripts/lib/debian.mjs'
import { buildInitramfs } from '../vm/lib/initramfs.mjs'
import { downloadHostKernel, downloadSuiteKernel, moduleClosure, pvhKernel } from '../vm/lib/kernel.mjs'
import { prepareCoreProject } from '../vm/lib/project.mjs'
import { bootVm } from '../vm/lib/qemu.mjs'

const repo = resolve(import.meta.dirname, '../..')
const args = process.argv.slice(2)
const kernelOption = args.indexOf('--kernel')
const suite = kernelOption >= 0 ? args.splice(kernelOption, 2)[1] : null
const script = args[0] ?? 'test/v2/in-vm.sh'
const cache = join(process.env.TESTCELL_VM_CACHE ?? '/var/tmp/testcell-vm', 'v2')
const started = performance.now()

const missing = ensureDebianPackages(['qemu-system-x86', 'busybox-static', 'cpio', 'xz-utils', 'zstd', 'binutils'])
if (missing) {
  console.log(`CHECK v2_vm_tier FAIL ${missing}`)
  process.exit(1)
}
mkdirSync(cache, { recursive: true })
const kernel = suite ? downloadSuiteKernel(join(cache, `kernel-${suite}`), suite) : downloadHostKernel(join(cache, 'kernel'))
// @testcell/core as npm installs it from the packed packages: its CLI, tar, koffi and the launcher package.
const project = await prepareCoreProject(cache)

// PID 1 of the VM: mounts the kernel filesystems and cgroup2, enables memory and pids for the root's children
// as an init system would (systemd does at boot; in-vm.sh does it itself after checking that testcell never
// does), runs the checks with output on the second serial port.
const init = `#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
for m in /modules/*.ko; do insmod "$m" || echo "init: cannot load $m"; done
mkdir -p /sys/fs/cgroup && mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
${script === 'test/v2/in-vm.sh' ? '# in-vm.sh checks first that nothing writes the root cgroup, then enables the controllers itself' : 'echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control'}
/bin/sh /project/${script} > /dev/ttyS1 2>&1
echo "V2CHECKS_DONE rc=$?" > /dev/ttyS1
sync
poweroff -f
`
const initrd = buildInitramfs({
  out: join(cache, suite ? `initrd-${suite}.gz` : 'initrd.gz'),
  modules: moduleClosure(kernel.modules, ['overlay']),
  files: [
    [process.execPath, '/usr/bin/node'],
    [join(project, 'node_modules'), '/project/node_modules'],
    [join(repo, 'test/v2'), '/project/test/v2'],
    [join(repo, 'test/v2/passwd'), '/etc/passwd'],
  ],
  init,
  // memory-checks.sh imports core's modules from /project/packages/core, as in a checkout.
  links: [['../node_modules/@testcell/core', '/project/packages/core']],
})

const lines = []
const vm = await bootVm({
  kernel: pvhKernel(kernel.image, cache),
  initrd,
  append: 'console=ttyS0 quiet panic=-1 cgroup_no_v1=all',
  memMb: 1024,
  timeoutMs: 10 * 60_000,
  consoleLog: join(cache, 'console.log'),
  outputLog: join(cache, 'checks.log'),
  onLine: (line) => {
    lines.push(line)
    if (/^(CHECK|INFO) /.test(line)) console.log(line)
  },
})
const done = lines.some((l) => l.startsWith('V2CHECKS_DONE'))
if (!done)
  console.log(
    `CHECK v2_vm_finished FAIL the VM stopped before the checks ended (${vm.timedOut ? 'timeout' : `qemu exit ${vm.code}`}; see ${cache}/console.log)`,
  )
const passed = lines.filter((l) => /^CHECK \S+ PASS/.test(l)).length
const failed = lines.filter((l) => /^CHECK \S+ FAIL/.test(l)).length
console.log(
  `cgroup-v2-vm: ${passed} passed, ${failed} failed; kernel ${kernel.release}; wall ${((performance.now() - started) / 1000).toFixed(0)} s (VM ${vm.seconds.toFixed(0)} s under ${vm.accel})`,
)
process.exit(failed === 0 && done ? 0 : 1)
