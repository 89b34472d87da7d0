import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Leaves a process behind (in its own session, never waited for) whose command line carries the trial's
 * marker, then works for `ms`: the trial looks for that marker on the host after killing Vitest.
 */
export async function leaveProcessAndWork(ms: number): Promise<void> {
  const marker = process.env.TESTCELL_TRIAL_MARKER ?? '4243'
  spawn('sleep', [marker], { detached: true, stdio: 'ignore' }).unref()
  const ballast = Buffer.alloc(16 * 1024 * 1024, 1) // some memory in the cgroup
  await sleep(ms)
  ballast.fill(2)
}
