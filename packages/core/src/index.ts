export {
  appendHistory,
  DEFAULT_HISTORY_PATH,
  entryKey,
  type HistoryEntry,
  newRunId,
  type RunOutcome,
  readHistory,
} from './budgets/history.js'
export { collectGarbage } from './cgroup/gc.js'
export type { PeakMode, PeakTracker } from './cgroup/peak.js'
export type { MemorySampler, MemorySamples, SamplerOptions } from './cgroup/sampler.js'
export type { CgroupLimits, CgroupUsage, MemoryStat } from './cgroup/types.js'
export { Container } from './container/container.js'
export {
  type ContainerResult,
  describeMemoryKill,
  killedByMemoryLimit,
  shellStatus,
} from './container/result.js'
export { startContainer } from './container/start.js'
export type { Cause, Finding } from './doctor/classify.js'
export { type DoctorCheck, type DoctorOptions, type DoctorReport, runDoctor } from './doctor/doctor.js'
export type { FixBlock } from './doctor/fixes.js'
export { diagnosisLines, formatDoctorReport } from './doctor/format.js'
export type { HostDescription, HostKind } from './doctor/host-kind.js'
export {
  CgroupError,
  ImageError,
  LauncherError,
  type LauncherFailure,
  OptionError,
  TestcellError,
  type TestcellErrorCode,
  UnsupportedHostError,
} from './errors.js'
export { createContainer } from './images/create-container.js'
export { IMAGE_FORMS, type ImageReference, parseImageReference } from './images/reference.js'
export { locateLauncher } from './launcher/locate.js'
export {
  type ContainerConfig,
  type ContainerOptions,
  checkHostname,
  checkMemory,
  checkNetwork,
  checkPidsLimit,
  checkSeccomp,
  NETWORK_MODES,
  type NetworkMode,
  normalizeOptions,
} from './options/container-options.js'
export { formatAmount, formatLimit, parseSize } from './options/size.js'
export { parseVolume, toVolume, type Volume } from './options/volume.js'
export { classifyEnd, type EndFacts, isCrash, type Verdict } from './verdict/classify.js'
export { describeVerdict, type EndPlace } from './verdict/describe.js'
export { type ExtraFacts, factsFromResult } from './verdict/facts.js'
export { type HeapLimit, heapLimitFromFlags, isHeapOutOfMemory, reportedHeapLimit } from './verdict/heap.js'
