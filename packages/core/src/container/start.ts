import { collectGarbageOnce } from '../cgroup/gc.js'
import { cgroupName } from '../cgroup/names.js'
import type { ContainerCgroup } from '../cgroup/types.js'
import { OptionError, UnsupportedHostError } from '../errors.js'
import { type HostInfo, hostInfo } from '../host/host-info.js'
import { locateLauncher } from '../launcher/locate.js'
import { type ContainerConfig, type ContainerOptions, normalizeOptions } from '../options/container-options.js'
import { buildContainerPlan } from '../rootfs/container-plan.js'
import { liveHostTree } from '../rootfs/host-tree.js'
import type { ImageRoot } from '../rootfs/image-root.js'
import { Container } from './container.js'

/**
 * Starts `options.command` in a new container. Throws synchronously for invalid options (OptionError) and
 * for hosts that cannot give what was asked (UnsupportedHostError): a memory cap is never silently dropped.
 */
export function startContainer(options: ContainerOptions): Container {
  const config = normalizeOptions(options)
  if (config.image) {
    throw new OptionError('image', options.image, 'no image with startContainer: use `await createContainer(options)`, which prepares the image first')
  }
  const host = hostInfo()
  collectGarbageOnce(host.cgroups.driver?.parents ?? [])
  return launchContainer(config, host)
}

/** Starts a validated config on a host as described (the doctor uses it to probe other modes). */
export function launchContainer(config: ContainerConfig, host: HostInfo, image: ImageRoot | null = null): Container {
  const launcher = locateLauncher()
  const cgroup = createCgroup(config, host)
  const plan = buildContainerPlan({
    config,
    privilege: host.privilege,
    uid: host.uid,
    gid: host.gid,
    mounts: host.mounts,
    tree: liveHostTree,
    cgroup: cgroup?.planSteps ?? [],
    image,
  })
  return new Container({ launcher, config, plan, cgroup })
}

/** The container's cgroup (created by the launcher from the plan); null only when no limit was asked for and this host offers no usable cgroup. */
function createCgroup(config: ContainerConfig, host: HostInfo): ContainerCgroup | null {
  if (process.platform !== 'linux') {
    throw new UnsupportedHostError(`testcell needs Linux; this is ${process.platform}`, [])
  }
  const wantsLimits = config.memoryBytes !== null || config.pidsLimit !== null
  const driver = host.cgroups.driver
  if (!driver) {
    if (!wantsLimits) return null
    const asked = config.memoryBytes !== null ? 'a memory limit' : 'a pids limit'
    throw new UnsupportedHostError(
      `${asked} was asked for, but this host has no cgroup that ${host.privilege === 'root' ? 'root' : 'this user'} can use:`,
      host.cgroups.problems,
    )
  }
  return driver.create(cgroupName(), { memoryBytes: config.memoryBytes, pidsLimit: config.pidsLimit })
}
