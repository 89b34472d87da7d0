import type { HistoryEntry, RunOutcome } from '@testcell/core'
import type { TestModule } from 'vitest/node'
import { type FileMemoryMeta, fileMemory, testMemory } from './meta.js'

/**
 * The history entries of one run, from the files' and tests' meta: the same in a normal run and in a
 * --merge-reports run (the meta travels in the blob reports), so merged shards write one merged history.
 * Files that did not run (skipped, or collected only) and files without container figures have none.
 */
export function historyEntries(testModules: readonly TestModule[], run: string, at: string): HistoryEntry[] {
  const entries: HistoryEntry[] = []
  for (const module of testModules) {
    const memory = fileMemory(module.meta())
    const state = module.state()
    if (!memory || (state !== 'passed' && state !== 'failed')) continue
    entries.push({
      v: 1,
      run,
      at,
      project: module.project.name,
      file: module.relativeModuleId.split('\\').join('/'),
      outcome: outcomeOf(memory, state),
      peakBytes: memory.peakBytes,
      limitBytes: memory.limitBytes,
      options: memory.options ?? {},
      tests: [...module.children.allTests()].filter((t) => t.result().state !== 'skipped').map((t) => [t.fullName, testMemory(t.meta())?.peakBytes ?? null]),
    })
  }
  return entries
}

function outcomeOf(memory: FileMemoryMeta, state: 'passed' | 'failed'): RunOutcome {
  switch (memory.verdict) {
    case 'budget':
    case 'host-oom':
    case 'v8-heap':
      return memory.verdict
    case 'signal':
    case 'exit':
      return 'crashed'
    default:
      return state
  }
}
