export { startContainer } from './container/start.js'
export { Container } from './container/container.js'
export {
  describeMemoryKill,
  killedByMemoryLimit,
  shellStatus,
  type ContainerResult,
} from './container/result.js'
export {
  checkHostname,
  checkMemory,
  checkNetwork,
  checkPidsLimit,
  normalizeOptions,
  NETWORK_MODES,
  type ContainerConfig,
  type ContainerOptions,
  type NetworkMode,
} from './options/container-options.js'
export { formatAmount, formatLimit, parseSize } from './options/size.js'
export { parseVolume, type Volume } from './options/volume.js'
export {
  CgroupError,
  LauncherError,
  OptionError,
  TestcellError,
  UnsupportedHostError,
  type LauncherFailure,
  type TestcellErrorCode,
} from './errors.js'
export type { CgroupUsage, MemoryStat } from './cgroup/types.js'
export { runDoctor, type DoctorReport, type DoctorCheck } from './doctor/doctor.js'
export { collectGarbage } from './cgroup/gc.js'
export { locateLauncher } from './launcher/locate.js'
