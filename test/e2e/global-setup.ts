import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { prepareProjects } from './prepare-projects.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    e2eDir: string
  }
}

const KEPT = new Set(['node_modules', 'package.json', 'package-lock.json', 'pnpm-lock.yaml', '.ready'])

/** Prepares (or reuses) the e2e projects; afterwards removes the fixture copies run in them. */
export default async function setup(project: TestProject) {
  const dir = await prepareProjects({ quiet: true })
  project.provide('e2eDir', dir)
  return () => {
    for (const name of Object.keys(JSON.parse(readFileSync(join(dir, 'projects.json'), 'utf8')))) {
      for (const entry of readdirSync(join(dir, name))) {
        if (!KEPT.has(entry)) rmSync(join(dir, name, entry), { recursive: true, force: true })
      }
    }
  }
}
