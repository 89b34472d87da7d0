import { launchContainer } from '../container/start.js'
import { ImageError } from '../errors.js'
import type { HostInfo } from '../host/host-info.js'
import { hostPlatform } from '../images/platform.js'
import type { PreparedImage } from '../images/prepare.js'
import { normalizeOptions } from '../options/container-options.js'
import { type NodeProbe, writeRecord } from '../store/records.js'
import { NotInjectable, nodeRuntime, RUNTIME_MOUNT } from './runtime.js'

export interface ImageNode {
  /** The node to run, as a path inside the container. */
  path: string
  /** The host directory to bind at /.tc, when the host's Node is injected. */
  runtime: string | null
}

const PROBE = 'process.stdout.write(process.execPath + "\\n" + process.versions.node)'

/**
 * The Node a test worker runs with in this image: the image's own `node` when it is on its PATH and at
 * least as new as the host's (major), else the host's Node injected at /.tc. Throws saying what the image
 * lacks when neither works.
 */
export async function nodeForImage(image: PreparedImage, env: NodeJS.ProcessEnv, host: HostInfo): Promise<ImageNode> {
  const probe = image.record.node ?? (await probeNode(image, env, host))
  const hostMajor = Number(process.versions.node.split('.')[0])
  if (probe.kind === 'image' && Number(probe.version.split('.')[0]) >= hostMajor) return { path: probe.path, runtime: null }
  const lacks = probe.kind === 'image' ? `its node is ${probe.version}, older than this host's ${process.versions.node}` : probe.reason
  const arch = hostPlatform().architecture
  if (image.record.platform.architecture !== arch) {
    throw new ImageError(
      'TESTCELL_IMAGE',
      `${image.record.reference} needs node for its test worker: ${lacks}, and this host's Node (${arch}) cannot run in a ${image.record.platform.architecture} image`,
    )
  }
  try {
    return { path: `${RUNTIME_MOUNT}/node`, runtime: await nodeRuntime(image.store) }
  } catch (error) {
    if (!(error instanceof NotInjectable)) throw error
    throw new ImageError(
      'TESTCELL_IMAGE',
      `${image.record.reference} needs node for its test worker: ${lacks}, and this host's Node cannot be injected: ${error.message}`,
      { cause: error },
    )
  }
}

/** Runs `node` from the image's PATH once and remembers what it said in the image record. */
async function probeNode(image: PreparedImage, env: NodeJS.ProcessEnv, host: HostInfo): Promise<NodeProbe> {
  const config = normalizeOptions({ command: ['node', '-e', PROBE], baseEnv: env, network: 'none', visiblePaths: [], workdir: '/' })
  const container = launchContainer(config, host, { lowers: image.lowers, nodeRuntime: null })
  let stdout = ''
  container.process.stdout?.on('data', (d: Buffer) => (stdout += d))
  container.process.stdin?.end()
  const timer = setTimeout(() => container.kill('SIGKILL'), 30_000)
  let probe: NodeProbe
  try {
    const result = await container.result
    const [path, version] = stdout.split('\n')
    probe =
      result.exitCode === 0 && path?.startsWith('/') && /^\d+\.\d+\.\d+/.test(version ?? '')
        ? { kind: 'image', path, version: version! }
        : { kind: 'none', reason: result.exitCode === 127 ? 'it has no node on its PATH' : `its node does not run (exit ${result.exitCode ?? result.signal})` }
  } catch (error) {
    probe = { kind: 'none', reason: `its node could not be probed: ${(error as Error).message}` }
  } finally {
    clearTimeout(timer)
  }
  image.record.node = probe
  writeRecord(image.store, image.record)
  return probe
}
