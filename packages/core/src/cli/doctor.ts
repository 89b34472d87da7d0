import { runDoctor } from '../doctor/doctor.js'
import { formatDoctorReport } from '../doctor/format.js'

export const DOCTOR_USAGE = `usage: testcell doctor [--json]
  checks whether containers and memory limits work here, says why not, and prints one fix for this host
  --json   the same findings as data
exit status: 0 containers can run (maybe without memory limits), 1 they cannot, 2 bad usage`

/** `testcell doctor`: exit 1 when containers cannot run at all. Changes nothing on the host. */
export async function doctor(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${DOCTOR_USAGE}\n`)
    return 0
  }
  const json = argv.includes('--json')
  const unknown = argv.find((a) => a !== '--json')
  if (unknown !== undefined) {
    process.stderr.write(`testcell doctor: unknown argument ${JSON.stringify(unknown)}\n${DOCTOR_USAGE}\n`)
    return 2
  }
  const report = await runDoctor()
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report))
  return report.canRun ? 0 : 1
}
