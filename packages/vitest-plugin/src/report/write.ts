import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { reportHtml } from './html.js'
import type { ReportModel } from './model.js'

/** Writes the report atomically (a reader never sees half a page). */
export function writeReport(path: string, model: ReportModel): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, reportHtml(model))
  renameSync(temp, path)
}
