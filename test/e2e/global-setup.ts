import type { TestProject } from 'vitest/node'
import { prepareProjects } from './prepare-projects.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    e2eDir: string
  }
}

export default function setup(project: TestProject) {
  project.provide('e2eDir', prepareProjects({ quiet: true }))
}
