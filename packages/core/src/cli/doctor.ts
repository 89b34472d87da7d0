import { runDoctor } from '../doctor/doctor.js'

/** `testcell doctor`: one line per check, one actionable line per problem; exit 1 if containers cannot run. */
export async function doctor(): Promise<number> {
  const report = await runDoctor()
  for (const check of report.checks) {
    process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}\n`)
    if (!check.ok && check.fix) process.stdout.write(`      fix: ${check.fix}\n`)
  }
  const caps = report.canCapMemory ? 'with memory and pids limits' : 'without memory limits (runs asking for one are refused)'
  process.stdout.write(report.canRun ? `mode: ${report.mode}, containers can run ${caps}\n` : 'containers cannot run on this host\n')
  return report.canRun ? 0 : 1
}
