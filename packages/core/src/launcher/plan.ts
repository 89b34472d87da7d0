/** One step of the launcher's plan; see native/PROTOCOL.md for what each does. */
export type PlanOp =
  | { op: 'userns'; uidMap: string; gidMap: string }
  | { op: 'netns'; mode: 'loopback' | 'none' }
  | { op: 'hostname'; name: string }
  | { op: 'cgroup-create'; dir: string }
  | { op: 'cgroup-write'; file: string; value: string; ifExists?: boolean }
  | { op: 'cgroup-v2'; dir: string }
  | { op: 'cgroup-join'; tasksFile: string }
  | { op: 'report-file'; path: string }
  | { op: 'overlay-userxattr'; enabled: boolean }
  | { op: 'mount-tmpfs-root'; mode: number }
  | { op: 'overlay'; target: string; lowers: readonly string[] }
  | { op: 'bind'; source: string; target: string; readonly: boolean }
  | { op: 'tmpfs'; target: string; mode: number }
  | { op: 'proc'; target: string }
  | { op: 'sysfs'; target: string }
  | { op: 'dev'; target: string }
  | { op: 'mkdir'; target: string; mode: number }
  | { op: 'symlink'; linkText: string; target: string }
  | { op: 'mask'; target: string }
  | { op: 'readonly'; target: string }
  | { op: 'cwd'; dir: string }
  | { op: 'keep-fd'; fd: number }
  | { op: 'caps'; mode: 'default' | 'keep' }
  | { op: 'seccomp'; mode: 'default' | 'nested' }
  | { op: 'argv'; args: readonly string[] }

/** Bumped on every change of meaning; the launcher's `hello` record names the version it speaks. */
export const PROTOCOL_VERSION = 2
/** The launcher refuses larger plans. */
export const PLAN_MAX_BYTES = 4 * 1024 * 1024

function tokens(step: PlanOp): (string | number)[] {
  switch (step.op) {
    case 'userns':
      return [step.uidMap, step.gidMap]
    case 'netns':
      return [step.mode]
    case 'hostname':
      return [step.name]
    case 'cgroup-create':
    case 'cgroup-v2':
      return [step.dir]
    case 'cgroup-write':
      return [step.file, step.value]
    case 'cgroup-join':
      return [step.tasksFile]
    case 'report-file':
      return [step.path]
    case 'overlay-userxattr':
      return [step.enabled ? 1 : 0]
    case 'mount-tmpfs-root':
      return [octal(step.mode)]
    case 'overlay':
      return [step.target, step.lowers.length, ...step.lowers]
    case 'bind':
      return [step.source, step.target, step.readonly ? 'ro' : 'rw']
    case 'tmpfs':
    case 'mkdir':
      return [step.target, octal(step.mode)]
    case 'proc':
    case 'sysfs':
    case 'dev':
    case 'mask':
    case 'readonly':
      return [step.target]
    case 'symlink':
      return [step.linkText, step.target]
    case 'cwd':
      return [step.dir]
    case 'keep-fd':
      if (!Number.isSafeInteger(step.fd) || step.fd < 3)
        throw new RangeError(`keep-fd takes an fd number of 3 or more (0 to 2 are always kept), got ${step.fd}`)
      return [step.fd]
    case 'caps':
    case 'seccomp':
      return [step.mode]
    case 'argv':
      return [step.args.length, ...step.args]
  }
}

/** The opcode on the wire: `cgroup-write` with `ifExists` is its own record. */
function opcode(step: PlanOp): string {
  return step.op === 'cgroup-write' && step.ifExists ? 'cgroup-write-if-exists' : step.op
}

/** Encodes a plan: a 4-byte little-endian length, then NUL-terminated tokens: `version 2`, the ops, `end`. */
export function encodePlan(plan: readonly PlanOp[]): Buffer {
  const parts: string[] = ['version', String(PROTOCOL_VERSION)]
  for (const step of plan) {
    parts.push(opcode(step), ...tokens(step).map(String))
  }
  parts.push('end')
  for (const part of parts) {
    if (part.includes('\0')) throw new TypeError(`plan token contains a NUL byte: ${JSON.stringify(part)}`)
  }
  const body = Buffer.from(`${parts.join('\0')}\0`)
  if (body.length > PLAN_MAX_BYTES) throw new RangeError(`the plan is ${body.length} bytes; the launcher takes at most ${PLAN_MAX_BYTES}`)
  const length = Buffer.alloc(4)
  length.writeUInt32LE(body.length)
  return Buffer.concat([length, body])
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}
