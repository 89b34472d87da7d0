import { LauncherError, OptionError, TestcellError } from '../errors.js'
import { doctor } from './doctor.js'
import { gc } from './gc.js'
import { run } from './run.js'
import { setup } from './setup.js'

const USAGE = `usage: testcell <command>
  run [options] -- COMMAND [ARGS...]   run a command in a throwaway container (testcell run --help)
  doctor [--json]                      check what this host supports, say why not, print the fix
  setup [--user U] [--dry-run|--undo]  the one-time root part (AppArmor profile, cgroup delegation)
  gc                                   remove cgroups left by dead testcell processes
  images pull|ls|rm|prune              the image layer store (testcell images --help)
  budgets suggest [--write]            memory budgets per test file from the history (testcell budgets --help)`

/** Exit codes: the payload's for `run`; 2 bad usage; 125 the container could not be set up. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'run':
        if (rest[0] === '--help') return help((await import('./run-args.js')).RUN_USAGE)
        return await run(rest)
      case 'doctor':
        return await doctor(rest)
      case 'setup':
        return setup(rest)
      case 'gc':
        return await gc()
      case 'images':
        return await (await import('./images.js')).images(rest)
      case 'budgets': {
        const { budgets, BUDGETS_USAGE } = await import('./budgets.js')
        return rest[0] === '--help' || rest[1] === '--help' ? help(BUDGETS_USAGE) : await budgets(rest)
      }
      case undefined:
      case '--help':
      case 'help':
        return help(USAGE, command === undefined ? 2 : 0)
      default:
        process.stderr.write(`testcell: unknown command ${JSON.stringify(command)}\n${USAGE}\n`)
        return 2
    }
  } catch (error) {
    return report(error)
  }
}

function help(text: string, code = 0): number {
  ;(code === 0 ? process.stdout : process.stderr).write(`${text}\n`)
  return code
}

function report(error: unknown): number {
  if (error instanceof OptionError || (TestcellError.is(error) && error.code === 'TESTCELL_INVALID_OPTION')) {
    process.stderr.write(`testcell: ${(error as Error).message}\n`)
    return 2
  }
  if (TestcellError.is(error)) {
    process.stderr.write(`testcell: ${error.message}\n`)
    return error instanceof LauncherError && error.code !== 'TESTCELL_LAUNCHER_SETUP' ? 127 : 125
  }
  process.stderr.write(`testcell: internal error: ${(error as Error)?.stack ?? String(error)}\n`)
  return 125
}
