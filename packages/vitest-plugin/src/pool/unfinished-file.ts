import type { Vitest } from 'vitest/node'

/**
 * Vitest 4 only (VitestCompat.failUnfinishedFile): the file whose container died is marked failed, as
 * Vitest 5 counts an unfinished file, so Vitest 4's JSON report does not call it "passed". Only the file's
 * own state changes; it gets no error (the run's error already names it) and its tests stay as they were.
 */
export function markUnfinishedFileFailed(vitest: Vitest, filepath: string): void {
  const [file] = vitest.state.getFiles([filepath])
  if (!file) return
  const state = file.result?.state
  if (state === undefined || state === 'run' || state === 'queued') file.result = { ...file.result, state: 'fail' }
}
