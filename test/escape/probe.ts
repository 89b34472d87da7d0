import { spawnSync } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContainerOptions } from '@testcell/core'
import { runIn } from '../integration/helpers.js'

/** The static probe (native/tests/escape-probe.c): tries one way out and prints `ATTACK: blocked ERR` or `ALLOWED`. */
export const PROBE = fileURLToPath(new URL('../../native/build/escape-probe', import.meta.url))

export interface Attempt {
  blocked: boolean
  /** The errno name that stopped it (`EPERM`), `nothing` for an empty read, or what got through. */
  detail: string
  output: string
}

function attempt(output: string, exitCode: number | null): Attempt {
  const match = /: (blocked|ALLOWED) (.*)$/m.exec(output)
  if (!match || (exitCode !== 0 && exitCode !== 1)) throw new Error(`the probe did not run: exit ${exitCode}: ${output}`)
  return { blocked: match[1] === 'blocked', detail: match[2]!, output }
}

/** Runs the probe inside a fresh container (the probe stays visible whatever paths the test makes visible). */
export async function inside(args: string[], options: Omit<ContainerOptions, 'command'> = {}): Promise<Attempt> {
  const visible = options.visiblePaths ? { visiblePaths: [...options.visiblePaths, dirname(PROBE)] } : {}
  const { stdout, stderr, result } = await runIn([PROBE, ...args], { ...options, ...visible })
  return attempt(stdout + stderr, result.exitCode)
}

/** Runs the probe on the host: the control that shows the same attempt would get through without the container. */
export function outside(args: string[]): Attempt {
  const run = spawnSync(PROBE, args, { encoding: 'utf8' })
  return attempt(run.stdout + run.stderr, run.status)
}
