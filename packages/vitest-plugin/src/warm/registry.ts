import type { TestProject, Vitest } from 'vitest/node'
import { projectMaxWorkers } from '../pool/max-workers.js'
import { WarmContainers } from './warm-containers.js'

const byProject = new WeakMap<TestProject, WarmContainers>()
const byVitest = new WeakMap<Vitest, Set<WarmContainers>>()

/** The warm containers of one project (each project has its own options and maxWorkers). */
export function warmContainersOf(project: TestProject): WarmContainers {
  let warm = byProject.get(project)
  if (!warm) {
    warm = new WarmContainers({ maxWorkers: projectMaxWorkers(project, project.vitest) })
    byProject.set(project, warm)
    const all = byVitest.get(project.vitest) ?? new Set()
    all.add(warm)
    byVitest.set(project.vitest, all)
  }
  return warm
}

/** At the end of a run: the containers no file took are ended. */
export async function drainWarmContainers(vitest: Vitest): Promise<void> {
  await Promise.all([...(byVitest.get(vitest) ?? [])].map((warm) => warm.drain()))
}

/** When Vitest closes: ended, and no more are started. */
export async function closeWarmContainers(vitest: Vitest): Promise<void> {
  await Promise.all([...(byVitest.get(vitest) ?? [])].map((warm) => warm.close()))
}
