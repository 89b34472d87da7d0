import { launchContainer } from '../container/start.js'
import { LauncherError, type LauncherFailure } from '../errors.js'
import type { HostInfo } from '../host/host-info.js'
import { normalizeOptions } from '../options/container-options.js'

export interface ProbeResult {
  mode: 'root' | 'userns'
  ok: boolean
  /** The launcher's structured failure record, when it reported one. */
  failure: LauncherFailure | null
  /** What happened, one line. */
  detail: string
}

/**
 * Runs the real launcher on a tiny container (`sh -c 'exit 0'`) the way real runs build it: `root` as root,
 * `userns` in a user namespace (rootless, or root trying the rootless path). No cgroup is used, so the probe
 * changes nothing on the host.
 */
export async function probeContainer(host: HostInfo, mode: 'root' | 'userns'): Promise<ProbeResult> {
  const probeHost: HostInfo = {
    ...host,
    privilege: mode === 'root' ? 'root' : 'rootless',
    cgroups: { ...host.cgroups, driver: null },
  }
  try {
    const config = normalizeOptions({ command: ['/bin/sh', '-c', 'exit 0'], workdir: '/', visiblePaths: [] })
    const result = await launchContainer(config, probeHost).result
    const ok = result.exitCode === 0
    return {
      mode,
      ok,
      failure: null,
      detail: ok ? `namespaces, overlay root and /proc work (${result.durationMs} ms)` : `probe exited ${result.exitCode ?? result.signal}`,
    }
  } catch (error) {
    const failure = error instanceof LauncherError ? error.failure : null
    return { mode, ok: false, failure, detail: (error as Error).message }
  }
}
