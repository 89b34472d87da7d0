import { type DoctorReport, diagnosisLines, runDoctor, UnsupportedHostError } from '@testcell/core'
import type { FileOptions } from '../options.js'

let report: Promise<DoctorReport> | undefined
let warned = false
let diagnosed = false

interface Logger {
  warn(message: string): void
}

/**
 * Whether this host can run the file's container, checked once per run with the same checks as
 * `testcell doctor`: 'container', 'fallback' (onUnsupported: 'warn'), or an UnsupportedHostError.
 */
export async function hostSupport(options: FileOptions, logger: Logger, platform = process.platform): Promise<'container' | 'fallback'> {
  report ??= runDoctor({ platform })
  const doctor = await report
  const needsCgroup = options.memory !== undefined || options.pidsLimit !== undefined
  if (doctor.canRun && (doctor.canCapMemory || !needsCgroup)) return 'container'
  const problems = diagnosisLines(doctor)
  const summary = doctor.canRun ? 'container files ask for a memory or pids limit, but this host cannot enforce one' : 'this host cannot run containers'
  if (options.onUnsupported === 'warn') {
    if (!warned) {
      logger.warn(
        `[vitest-environment-container] ${summary}; container files run as plain forked files without isolation (onUnsupported: 'warn'):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      )
    }
    warned = true
    return 'fallback'
  }
  // Every container file fails to start; only the first carries the whole diagnosis and what to do.
  if (diagnosed) throw new UnsupportedHostError(`${summary} (${problems[0] ?? 'see the first error'}; the full diagnosis is in the first error)`, [])
  diagnosed = true
  throw new UnsupportedHostError(`${summary} (run \`testcell doctor\` for details; set onUnsupported: 'warn' to run such files without isolation):`, problems)
}
