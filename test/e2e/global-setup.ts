import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { prepareProjects } from './prepare-projects.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    e2eDir: string
  }
}

const KEPT = new Set(['node_modules', 'package.json', 'package-lock.json', '.ready'])

/** Prepares (or reuses) the Vitest 4.1 and 5.x projects; afterwards removes the fixture copies run in them. */
export default function setup(project: TestProject) {
  const dir = prepareProjects({ quiet: true })
  project.provide('e2eDir', dir)
  return () => {
    for (const version of ['v4', 'v5']) {
      for (const entry of readdirSync(join(dir, version))) {
        if (!KEPT.has(entry)) rmSync(join(dir, version, entry), { recursive: true, force: true })
      }
    }
  }
}
