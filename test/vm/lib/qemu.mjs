// Boots a throwaway VM under QEMU (TCG here; KVM when /dev/kvm works) and returns when it powers off.
// Serial port 0 is the console (kept in a log), serial port 1 carries the checks' output.
import { spawn } from 'node:child_process'
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs'

function kvmUsable() {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK)
    return /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) && process.env.TESTCELL_VM_ACCEL !== 'tcg'
  } catch {
    return false
  }
}

/**
 * Boots `kernel` with `initrd` and `append`, `drives` as virtio disks (snapshot: writes are thrown away),
 * no network. Lines the guest writes to its second serial port go to `onLine` as they arrive.
 * Resolves to { seconds, timedOut, code } once QEMU exits.
 */
export function bootVm({ kernel, initrd, append, drives = [], memMb = 1024, smp = 1, timeoutMs = 900_000, consoleLog, outputLog, onLine = () => {} }) {
  writeFileSync(consoleLog, '')
  writeFileSync(outputLog, '')
  const accel = kvmUsable() ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max']
  const args = [
    ...accel,
    '-m',
    String(memMb),
    '-smp',
    String(smp),
    '-display',
    'none',
    '-monitor',
    'none',
    '-no-reboot',
    '-nic',
    'none',
    '-serial',
    `file:${consoleLog}`,
    '-serial',
    `file:${outputLog}`,
    '-kernel',
    kernel,
    '-initrd',
    initrd,
    '-append',
    append,
    ...drives.flatMap((d) => ['-drive', `file=${d.file},format=raw,if=virtio${d.snapshot === false ? '' : ',snapshot=on'}`]),
  ]
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'inherit', 'inherit'] })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      qemu.kill('SIGTERM')
      setTimeout(() => qemu.kill('SIGKILL'), 5000).unref()
    }, timeoutMs)
    const tail = followLines(outputLog, onLine)
    qemu.on('error', (error) => {
      clearTimeout(timer)
      tail.stop()
      reject(error)
    })
    qemu.on('exit', (code) => {
      clearTimeout(timer)
      tail.stop()
      resolve({ seconds: (performance.now() - started) / 1000, timedOut, code, accel: accel[1] })
    })
  })
}

/** Calls `onLine` for each complete line appended to `file`, polling; `stop()` flushes the rest. */
function followLines(file, onLine) {
  let offset = 0
  let partial = ''
  const poll = () => {
    if (!existsSync(file)) return
    const size = statSync(file).size
    if (size <= offset) return
    const fd = openSync(file, 'r')
    const chunk = Buffer.alloc(size - offset)
    readSync(fd, chunk, 0, chunk.length, offset)
    closeSync(fd)
    offset = size
    const lines = (partial + chunk.toString('utf8').replaceAll('\r', '')).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  }
  const timer = setInterval(poll, 500)
  return {
    stop() {
      clearInterval(timer)
      poll()
      if (partial) onLine(partial)
    },
  }
}
