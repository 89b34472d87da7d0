import { realpathSync } from 'node:fs'
import { collectGarbageOnce } from '../cgroup/gc.js'
import type { Container } from '../container/container.js'
import { launchContainer, startContainer } from '../container/start.js'
import { hostInfo } from '../host/host-info.js'
import { nodeForImage } from '../node-runtime/choose.js'
import { type ContainerOptions, normalizeOptions } from '../options/container-options.js'
import { prepareImage } from './prepare.js'

/** The PATH an image without one in its config gets (Docker's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Inherited variables that point into the host and break programs in an image; given in `env`, they stay. */
const HOST_ONLY = /^(LD_[A-Z_]+|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|NODE_PATH|NODE_ICU_DATA)$/

/**
 * Starts a container like `startContainer`, preparing its image first when `image` is set: the image's
 * layers are imported or pulled into the store if missing and leased while the container runs. When the
 * command is this host's Node (a test worker), the image's own node or the injected host Node runs it.
 */
export async function createContainer(options: ContainerOptions): Promise<Container> {
  if (options.image === undefined) return startContainer(options)
  const config = normalizeOptions(options)
  const host = hostInfo()
  collectGarbageOnce(host.cgroups.driver?.parents ?? [])
  const image = await prepareImage(config.image!)
  try {
    const env = imageEnvironment(options.baseEnv ?? process.env, image.record.env, options.env ?? {})
    const node = isHostNode(config.command[0]!) ? await nodeForImage(image, env, host) : null
    const command = node ? [node.path, ...config.command.slice(1)] : config.command
    const container = launchContainer({ ...config, command, env }, host, { lowers: image.lowers, nodeRuntime: node?.runtime ?? null })
    container.result.then(image.release, image.release)
    return container
  } catch (error) {
    image.release()
    throw error
  }
}

/** Is this command this very Node (a test worker), however it is named? */
function isHostNode(command: string): boolean {
  if (!command.startsWith('/')) return false
  try {
    return realpathSync(command) === realpathSync(process.execPath)
  } catch {
    return false
  }
}

/** The caller's environment less host-only variables, then the image's `Env`, then explicit `env`. */
export function imageEnvironment(base: NodeJS.ProcessEnv, imageEnv: readonly string[], extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !HOST_ONLY.test(key)) env[key] = value
  env.PATH = DEFAULT_PATH
  for (const entry of imageEnv) {
    const eq = entry.indexOf('=')
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return { ...env, ...extra }
}
