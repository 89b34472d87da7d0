import type { Vitest } from 'vitest/node'
import { type FileMemoryMeta, MEMORY_META_KEY, type TestMemoryMeta } from './meta.js'

type Task = ReturnType<Vitest['state']['getFiles']>[number]['tasks'][number]

/**
 * Puts the file's and its tests' memory into their `meta` (kept in blob reports and --merge-reports). Call
 * it once the worker's last task updates are in (at `testfileFinished`, or when the container ended): the
 * worker's updates replace a task's meta wholesale.
 */
export function applyMemoryMeta(vitest: Vitest, filepath: string, file: FileMemoryMeta, tests: ReadonlyMap<string, TestMemoryMeta>): void {
  const [task] = vitest.state.getFiles([filepath])
  if (!task) return
  ;(task.meta as Record<string, unknown>)[MEMORY_META_KEY] = file
  const visit = (tasks: readonly Task[]) => {
    for (const t of tasks) {
      if (t.type === 'suite') visit(t.tasks)
      const memory = tests.get(t.id)
      if (memory && t.type === 'test') (t.meta as Record<string, unknown>)[MEMORY_META_KEY] = memory
    }
  }
  visit(task.tasks)
}
