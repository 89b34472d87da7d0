import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ContainerOptions, type ContainerResult, startContainer } from '@testcell/core'
import { hostInfo } from '../../packages/core/src/host/host-info.js'

export const isRoot = process.getuid?.() === 0
export const CLI = fileURLToPath(new URL('../../packages/core/bin/testcell.js', import.meta.url))

export interface Ran {
  result: ContainerResult
  stdout: string
  stderr: string
}

/** Runs a command in a container and collects its output. */
export async function runIn(command: string[], options: Omit<ContainerOptions, 'command'> = {}): Promise<Ran> {
  const container = startContainer({ ...options, command })
  let stdout = ''
  let stderr = ''
  container.process.stdout!.on('data', (d: Buffer) => (stdout += d))
  container.process.stderr!.on('data', (d: Buffer) => (stderr += d))
  container.process.stdin!.end()
  const result = await container.result
  return { result, stdout, stderr }
}

export const sh = (script: string, options: Omit<ContainerOptions, 'command'> = {}) => runIn(['/bin/sh', '-c', script], options)

/** Runs the `testcell` CLI and collects its output and exit status. */
export function cli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = options.env && { ...process.env, ...options.env }
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** A project directory owned by the current user; removed by the returned function. */
export function tempProject(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), 'testcell-it-'))
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Host pids whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry))
    } catch {
      // exited meanwhile
    }
  }
  return found
}

/** Host pids whose command line is exactly `argv` (unlike processesWith, never a shell or node that only mentions it). */
export function processesRunning(argv: readonly string[]): number[] {
  return processesWith(`${argv.join('\0')}\0`).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `${argv.join('\0')}\0`
    } catch {
      return false
    }
  })
}

/**
 * testcell cgroup directories whose name carries `ownerPid`, looked up where the product creates them: the
 * parents of the cgroup driver its own host detection chose (none when it has no usable cgroup).
 */
export function cgroupsOf(ownerPid: number): string[] {
  return cgroupParents().flatMap((parent) => {
    try {
      return readdirSync(parent)
        .filter((name) => name.startsWith(`testcell-${ownerPid}-`))
        .map((name) => join(parent, name))
    } catch {
      return []
    }
  })
}

/** Where the product creates container cgroups on this host, per its own detection. */
function cgroupParents(): readonly string[] {
  return hostInfo().cgroups.driver?.parents ?? []
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Memory caps need a cgroup the product can use, as its own host detection finds it (root or delegated). */
export function canCapMemory(): boolean {
  return hostInfo().cgroups.driver !== null
}

/** Host pids whose parent is `parent`. */
export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(parent)
      } catch {
        return false
      }
    })
    .map(Number)
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z'
  } catch {
    return false
  }
}
