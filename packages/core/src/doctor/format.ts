import type { DoctorReport } from './doctor.js'

/** The doctor's report as text: one line per check, one per finding, then the one fix block for this host. */
export function formatDoctorReport(report: DoctorReport): string {
  const mode = report.mode === 'root' ? 'root' : report.uid === 0 ? 'root without CAP_SYS_ADMIN and CAP_NET_ADMIN, so in a user namespace' : 'rootless'
  const lines = [`testcell doctor: ${report.host.label}, ${mode}`]
  for (const check of report.checks) lines.push(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}`)
  if (report.findings.length > 0) lines.push('', ...formatFindings(report))
  lines.push('', verdict(report))
  return `${lines.join('\n')}\n`
}

/** The findings and the fix block, as the Vitest plugin shows them once per run. */
export function formatFindings(report: DoctorReport): string[] {
  const lines: string[] = []
  for (const f of report.findings) {
    lines.push(`${f.severity === 'error' ? '✗' : '!'} ${f.cause}: ${f.summary}`)
    if (!f.summary.includes(f.evidence)) lines.push(`    (${f.evidence})`)
  }
  if (report.fix) {
    lines.push('', `Fix for this host — ${report.fix.title}:`, '--- copy from here ---', report.fix.text, '--- to here ---')
  }
  return lines
}

export function verdict(report: DoctorReport): string {
  if (!report.canRun) return 'containers cannot run on this host'
  return report.canCapMemory
    ? `mode: ${report.mode}, containers can run with memory and pids limits`
    : `mode: ${report.mode}, containers can run, but without memory and pids limits (a run that asks for one is refused)`
}

/** The findings and fix as list items for an error message (the Vitest plugin's diagnosis, once per run). */
export function diagnosisLines(report: DoctorReport): string[] {
  const lines = report.findings.map((f) => `${f.cause}: ${f.summary}${f.summary.includes(f.evidence) ? '' : ` (${f.evidence})`}`)
  if (report.fix) lines.push(`fix for this host, ${report.fix.title}:\n${report.fix.text.replace(/^/gm, '      ')}`)
  if (lines.length === 0) lines.push(verdict(report))
  return lines
}
