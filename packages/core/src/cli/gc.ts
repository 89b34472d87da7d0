import { collectGarbage } from '../cgroup/gc.js'

/** `testcell gc`: removes cgroups of dead owners; exit 1 if some could not be removed. */
export async function gc(): Promise<number> {
  const report = await collectGarbage()
  for (const dir of report.removed) process.stdout.write(`removed ${dir}\n`)
  for (const { dir, reason } of report.failed) process.stderr.write(`testcell: could not remove ${dir}: ${reason}\n`)
  process.stdout.write(`${report.removed.length} removed, ${report.kept.length} in use, ${report.failed.length} failed\n`)
  return report.failed.length === 0 ? 0 : 1
}
