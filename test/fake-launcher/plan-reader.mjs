// Reads a launcher plan as native/launcher/plan.c does (native/PROTOCOL.md, "Plan records"): NUL-terminated
// tokens, an opcode and a fixed number of arguments each (`overlay` and `argv` carry a count), `version 2`
// first and `end` last. Used by the fake launcher, and checked against the protocol's golden files.

export const ARITY = {
  version: 1,
  userns: 2,
  netns: 1,
  hostname: 1,
  'cgroup-create': 1,
  'cgroup-write': 2,
  'cgroup-write-if-exists': 2,
  'cgroup-v2': 1,
  'cgroup-join': 1,
  'report-file': 1,
  'mount-tmpfs-root': 1,
  'overlay-userxattr': 1,
  overlay: 'target, then counted', // TARGET N LOWER1 … LOWERN
  bind: 3,
  tmpfs: 2,
  proc: 1,
  sysfs: 1,
  dev: 1,
  mkdir: 2,
  symlink: 2,
  mask: 1,
  readonly: 1,
  cwd: 1,
  'keep-fd': 1,
  caps: 1,
  seccomp: 1,
  argv: 'counted', // N ARG1 … ARGN
  end: 0,
}

/** The records of a plan body (without its 4-byte length): `[{ op, args }]`; throws what the launcher refuses. */
export function parsePlan(body) {
  const tokens = body.toString('utf8').split('\0')
  if (tokens.pop() !== '') throw new Error('the plan does not end with a NUL byte')
  const ops = []
  for (let i = 0; i < tokens.length; ) {
    const op = tokens[i++]
    const arity = ARITY[op]
    if (arity === undefined) throw new Error(`unknown plan opcode ${op}`)
    let args
    if (typeof arity === 'number') {
      args = tokens.slice(i, i + arity)
      i += arity
    } else {
      const fixed = arity === 'counted' ? 0 : 1
      const count = Number(tokens[i + fixed])
      args = [...tokens.slice(i, i + fixed), ...tokens.slice(i + fixed + 1, i + fixed + 1 + count)]
      i += fixed + 1 + count
    }
    ops.push({ op, args })
    if (op === 'end' && i !== tokens.length) throw new Error('bytes after end')
  }
  if (ops[0]?.op !== 'version' || ops[0].args[0] !== '2') throw new Error('the plan must start with version 2')
  if (ops.at(-1)?.op !== 'end') throw new Error('the plan must end with end')
  return ops
}
