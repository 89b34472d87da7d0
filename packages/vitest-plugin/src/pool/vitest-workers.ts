import { ForksPoolWorker, type PoolOptions, type PoolWorker, ThreadsPoolWorker, VmForksPoolWorker, VmThreadsPoolWorker } from 'vitest/node'

/** Vitest's own pools a project can have, used for its files that do not run in containers. */
export type ProjectPool = 'forks' | 'threads' | 'vmForks' | 'vmThreads'
export const PROJECT_POOLS: readonly ProjectPool[] = ['forks', 'threads', 'vmForks', 'vmThreads']

/** A worker of one of Vitest's own pools, exactly as that pool would create it. */
export function vitestWorker(kind: ProjectPool, pool: PoolOptions): PoolWorker {
  switch (kind) {
    case 'forks':
      return new ForksPoolWorker(pool)
    case 'threads':
      return new ThreadsPoolWorker(pool)
    case 'vmForks':
      return new VmForksPoolWorker(pool)
    case 'vmThreads':
      return new VmThreadsPoolWorker(pool)
  }
}
