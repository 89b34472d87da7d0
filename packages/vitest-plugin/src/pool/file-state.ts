import type { Vitest } from 'vitest/node'

/** What the memory reporter reads from a file's `meta` (kept in blob reports and --merge-reports). */
export interface ContainerMemoryMeta {
  peakBytes: number | null
  limitBytes: number | null
}

export const MEMORY_META_KEY = 'containerMemory'

type FileTask = ReturnType<Vitest['state']['getFiles']>[number]
type Task = FileTask['tasks'][number]

/** Records the container's peak memory on the file's task. */
export function recordMemory(vitest: Vitest, filepath: string, memory: ContainerMemoryMeta): void {
  const [file] = vitest.state.getFiles([filepath])
  if (file) (file.meta as Record<string, unknown>)[MEMORY_META_KEY] = memory
}

/**
 * Marks a file whose container died as failed, with `error` on the file and on the test that was running
 * (the first unfinished one: the worker's last updates may not have arrived); later tests are skipped.
 * Returns false when the file was never collected.
 */
export function markFileFailed(vitest: Vitest, filepath: string, error: Error): boolean {
  const [file] = vitest.state.getFiles([filepath])
  if (!file) return false
  const serialized = { name: error.name, message: error.message, stack: error.stack ?? '' }
  file.result = { ...file.result, state: 'fail', errors: [...(file.result?.errors ?? []), serialized] }
  settle(file.tasks, serialized, { blamed: false })
  return true
}

function settle(tasks: readonly Task[], error: { name: string; message: string; stack: string }, progress: { blamed: boolean }): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      settle(task.tasks, error, progress)
      if (task.tasks.some((t) => t.result?.state === 'fail')) task.result = { ...task.result, state: 'fail' }
      continue
    }
    const state = task.result?.state
    if (state !== undefined && state !== 'queued' && state !== 'run') continue
    if (task.mode !== 'run' && state === undefined) continue
    task.result = progress.blamed ? { ...task.result, state: 'skip' } : { ...task.result, state: 'fail', errors: [error] }
    progress.blamed = true
  }
}
