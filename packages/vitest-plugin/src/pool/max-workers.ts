import { availableParallelism } from 'node:os'
import type { TestProject, Vitest } from 'vitest/node'

/** The number of workers Vitest will use for the project: configured, or as Vitest 4 derives it from the CPUs. */
export function projectMaxWorkers(project: TestProject, vitest: Vitest): number {
  const configured = Number(project.config.maxWorkers || vitest.config.maxWorkers)
  if (configured > 0) return configured
  const cpus = availableParallelism()
  return vitest.config.watch ? Math.max(Math.floor(cpus / 2), 1) : Math.max(cpus - 1, 1)
}
