import { renameSync, writeFileSync } from 'node:fs'
import { type ContainerResult, describeHostOom, describeMemoryKill, killedByMemoryLimit, shellStatus } from '../container/result.js'
import { TestcellError } from '../errors.js'
import { createContainer } from '../images/create-container.js'
import { classifyEnd } from '../verdict/classify.js'
import { factsFromResult } from '../verdict/facts.js'
import { parseRunArgs } from './run-args.js'

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']

/**
 * `testcell run`: exit status is the payload's (128+N for signal N), 137 with a message for a memory kill: its
 * limit, or the machine running out of memory (the kernel's OOM killer, not the limit).
 */
export async function run(argv: readonly string[]): Promise<number> {
  const { options, resultJson } = parseRunArgs(argv, process.cwd(), process.env)
  const container = await createContainer({ ...options, stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals) => container.kill(signal)
  for (const signal of FORWARDED) process.on(signal, forward)
  try {
    const started = container.started.then(
      () => null,
      (error: unknown) => error,
    )
    const result = await container.result
    const startError = await started
    if (startError && TestcellError.is(startError)) process.stderr.write(`testcell: ${startError.message}\n`)
    if (killedByMemoryLimit(result)) process.stderr.write(`testcell: ${describeMemoryKill(result)}\n`)
    else if (classifyEnd(factsFromResult(result)).kind === 'host-oom') process.stderr.write(`testcell: ${describeHostOom(result)}\n`)
    if (resultJson) writeResult(resultJson, result)
    return shellStatus(result)
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward)
  }
}

function writeResult(path: string, result: ContainerResult): void {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(result, null, 2)}\n`)
  renameSync(temp, path)
}
