import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runtimePaths } from './runtime-paths.js'

const PLUGIN_PACKAGE = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Host directories a container file's worker needs, also where the container hides the host (its private
 * /tmp): the project, the working directory, the node_modules directories above the project, the packages
 * of Vitest and of this plugin, and the Node that runs the worker with the libraries it loaded.
 */
export function visiblePaths(root: string, vitestDist: string, { runtime = true } = {}): string[] {
  const paths = new Set([root, process.cwd(), realpathSync(dirname(vitestDist)), realpathSync(PLUGIN_PACKAGE), ...(runtime ? runtimePaths() : [])])
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) paths.add(realpathSync(join(dir, 'node_modules')))
    if (dirname(dir) === dir) break
  }
  return [...paths]
}
