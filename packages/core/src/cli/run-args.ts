import { OptionError } from '../errors.js'
import { parseImageReference } from '../images/reference.js'
import { type ContainerOptions, checkHostname, checkMemory, checkNetwork } from '../options/container-options.js'
import { parseVolume } from '../options/volume.js'

export interface RunArgs {
  options: ContainerOptions
  resultJson: string | null
}

export const RUN_USAGE = `usage: testcell run [options] -- COMMAND [ARGS...]
  --memory SIZE          memory cap, swap included (256MiB, 1.5G, bytes)
  --pids-limit N         maximum number of processes and threads
  --network MODE         loopback (default: only lo, up), none, host
  --hostname NAME        hostname inside (default: testcell-xxxxxx)
  -v, --volume SRC:DST[:ro|rw]   bind mount a host path
  -e, --env KEY=VALUE    set a variable (KEY alone: take it from this environment)
  -w, --workdir DIR      working directory inside (default: the current directory)
  --seccomp MODE         default (Docker-like filter), nested (also namespaces and mounts), off
  --image REF            root filesystem from an image: oci:DIR[:REF], oci-archive:FILE[:REF],
                         docker-archive:FILE[:REF], rootfs:FILE or a registry reference NAME[:TAG|@DIGEST]
  --result-json FILE     write the exit result as JSON to FILE`

const WITH_VALUE = new Map([
  ['--memory', 'memory'],
  ['-m', 'memory'],
  ['--pids-limit', 'pidsLimit'],
  ['--network', 'network'],
  ['--net', 'network'],
  ['--hostname', 'hostname'],
  ['-h', 'hostname'],
  ['--volume', 'volume'],
  ['-v', 'volume'],
  ['--env', 'env'],
  ['-e', 'env'],
  ['--workdir', 'workdir'],
  ['-w', 'workdir'],
  ['--result-json', 'resultJson'],
  ['--seccomp', 'seccomp'],
  ['--image', 'image'],
])

/** Parses `testcell run` arguments (docker-run style). Throws OptionError for anything malformed. */
export function parseRunArgs(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): RunArgs {
  const options: ContainerOptions & { volumes: string[]; env: Record<string, string> } = { command: [], volumes: [], env: {} }
  let resultJson: string | null = null
  let i = 0
  for (; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      i++
      break
    }
    if (!arg.startsWith('-')) break
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    const name = WITH_VALUE.get(flag)
    if (!name) throw new OptionError('flag', arg, `one of the options below\n${RUN_USAGE}`)
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new OptionError(flag, undefined, 'a value after it')
    switch (name) {
      case 'memory':
        options.memory = checkMemory(value)
        break
      case 'pidsLimit':
        options.pidsLimit = parsePids(value)
        break
      case 'network':
        options.network = checkNetwork(value)
        break
      case 'hostname':
        options.hostname = checkHostname(value)
        break
      case 'volume':
        parseVolume(flag, value, cwd)
        options.volumes.push(value)
        break
      case 'env':
        setEnv(options.env, value, env)
        break
      case 'workdir':
        options.workdir = value
        break
      case 'resultJson':
        resultJson = value
        break
      case 'seccomp':
        options.seccomp = parseSeccomp(value)
        break
      case 'image':
        parseImageReference(value, cwd, '--image')
        options.image = value
        break
    }
  }
  options.command = argv.slice(i)
  if (options.command.length === 0) throw new OptionError('COMMAND', undefined, `a command to run\n${RUN_USAGE}`)
  return { options, resultJson }
}

function parseSeccomp(value: string): boolean | 'nested' {
  if (value === 'default' || value === 'nested' || value === 'off') return value === 'default' ? true : value === 'nested' ? 'nested' : false
  throw new OptionError('--seccomp', value, 'default, nested or off')
}

function parsePids(value: string): number {
  if (/^[1-9]\d*$/.test(value)) return Number(value)
  throw new OptionError('--pids-limit', value, 'a positive whole number')
}

function setEnv(target: Record<string, string>, value: string, env: NodeJS.ProcessEnv): void {
  const eq = value.indexOf('=')
  if (eq === 0) throw new OptionError('--env', value, 'KEY=VALUE or KEY')
  if (eq > 0) target[value.slice(0, eq)] = value.slice(eq + 1)
  else if (env[value] !== undefined) target[value] = env[value]
}
