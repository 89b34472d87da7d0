import { version } from 'vitest/node'

/**
 * Where the running Vitest cannot tell by itself that a container died, the pool answers for the dead worker.
 * Each shim is on only for the versions that need it, and the e2e tier runs every supported version.
 */
export interface VitestCompat {
  /**
   * Vitest 4 waits for the `started` answer and ignores worker errors until then (its START_TIMEOUT, 60 s):
   * a worker that dies while starting gets a `started` answer carrying the cause. Vitest 5 rejects the start
   * on the worker's `error` event by itself.
   */
  answerStartOnDeath: boolean
  /**
   * While stopping, Vitest 4 and 5 wait for the `stopped` answer only (they stop listening to `exit`, and 5
   * to `error`): a worker that dies then gets a `stopped` answer carrying the cause (a "Teardown Error").
   */
  answerStopOnDeath: boolean
  /**
   * Vitest 4's JSON reporter calls a file whose worker died "passed" (`success: true`); Vitest 5 counts such
   * an unfinished file as failed. On 4, the file of a dead container is marked failed, at file level only.
   */
  failUnfinishedFile: boolean
}

export function compatFor(vitestVersion: string): VitestCompat {
  const major = Number(vitestVersion.split('.')[0])
  return {
    answerStartOnDeath: major === 4,
    answerStopOnDeath: major === 4 || major === 5,
    failUnfinishedFile: major === 4,
  }
}

export const compat: VitestCompat = compatFor(version)
