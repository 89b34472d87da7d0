import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { formatAmount, formatLimit } from '@testcell/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportHtml } from '../../packages/vitest-plugin/src/report/html.js'
import { buildReportModel, type ReportModel } from '../../packages/vitest-plugin/src/report/model.js'
import { Browser, type Page } from './chromium.js'
import { demoHistory, demoRows } from './demo-report.js'

const dir = mkdtempSync(join(tmpdir(), 'testcell-report-'))
const model: ReportModel = buildReportModel(demoRows(), { warnAt: 0.9, history: demoHistory(), title: 'Container memory: demo' })
const file = join(dir, 'memory-report.html')
writeFileSync(file, reportHtml(model))

let browser: Browser
let page: Page

beforeAll(async () => {
  browser = new Browser()
  page = await browser.open(file)
})

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]()
  rmSync(dir, { recursive: true, force: true })
})

interface ShownRow {
  file: string
  classes: string[]
  peakBytes: string
  limitBytes: string
  peak: string
  limit: string
  share: string
  badge: string | null
  fillWidth: number
}

const rows = () =>
  page.evaluate<ShownRow[]>(`[...document.querySelectorAll('#overview .file-row')].map((row) => ({
    file: row.dataset.file, classes: [...row.classList], peakBytes: row.dataset.peakBytes, limitBytes: row.dataset.limitBytes,
    peak: row.querySelector('.peak').textContent, limit: row.querySelector('.limit').textContent, share: row.querySelector('.share').textContent,
    badge: row.querySelector('.badge')?.textContent ?? null, fillWidth: Number(row.querySelector('svg.bar .fill').getAttribute('width')),
  }))`)

describe('the HTML memory report in headless Chromium', () => {
  it('renders from the embedded JSON alone: one request (the file itself), no script errors', async () => {
    expect(await page.evaluate('document.body.dataset.rendered')).toBe('true')
    expect(page.requests()).toEqual([`file://${file}`])
    expect(page.problems()).toEqual([])
    expect(JSON.parse(await page.evaluate<string>(`document.getElementById('testcell-memory-data').textContent`))).toEqual(model)
    expect(readFileSync(file, 'utf8')).not.toMatch(/<(link|img|iframe)\b|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
  })

  it('draws a bar per file, worst first: the leaking file first and marked as killed', async () => {
    const shown = await rows()
    expect(shown.map((r) => r.file)).toEqual(model.files.map((f) => f.file))
    expect(shown).toHaveLength(5)
    expect(shown[0]).toMatchObject({ file: 'tests/leaks.test.ts', badge: 'killed by its memory budget' })
    expect(shown[0]!.classes).toContain('killed')
    expect(shown[1]).toMatchObject({ file: 'tests/parses-fixtures.test.ts', badge: 'near its budget' })
    expect(shown[1]!.classes).toContain('near')
    expect(shown.slice(2).every((r) => !r.classes.includes('near') && !r.classes.includes('killed'))).toBe(true)
  })

  it('shows the numbers of the JSON, formatted as the terminal table formats them', async () => {
    const shown = await rows()
    model.files.forEach((f, i) => {
      const row = shown[i]!
      expect(row.peakBytes).toBe(String(f.peakBytes))
      expect(row.limitBytes).toBe(String(f.limitBytes))
      expect(row.peak).toBe(formatAmount(f.peakBytes!))
      expect(row.limit).toBe(formatLimit(f.limitBytes!))
      expect(row.share).toBe(`${Math.round(f.share! * 100)}%`)
      expect(row.fillWidth).toBeCloseTo(Math.min(1, f.share!) * 300, 0)
    })
  })

  it('lists each file’s tests with their peaks, the heaviest marked, names shown as text', async () => {
    const tests = await page.evaluate<{ file: string; tests: { name: string; peak: string; heaviest: boolean }[] }[]>(
      `[...document.querySelectorAll('section.file')].map((s) => ({ file: s.dataset.file, tests: [...s.querySelectorAll('tr.test')].map((r) => ({
        name: r.querySelector('.name').textContent, peak: r.querySelector('.peak').textContent, heaviest: r.classList.contains('heaviest') })) }))`,
    )
    expect(tests.map((t) => t.file)).toEqual(model.files.map((f) => f.file))
    model.files.forEach((f, i) => {
      expect(tests[i]!.tests.map((t) => t.name)).toEqual(f.tests.map((t) => t.name))
      expect(tests[i]!.tests.map((t) => t.peak)).toEqual(f.tests.map((t) => formatAmount(t.peakBytes!)))
      const top = Math.max(...f.tests.map((t) => t.peakBytes!))
      expect(tests[i]!.tests.map((t) => t.heaviest)).toEqual(f.tests.map((t) => t.peakBytes === top))
    })
    expect(tests[1]!.tests[2]!.name).toBe('parser > <script>alert(1)</script> is only a name')
    expect(await page.evaluate('document.scripts.length')).toBe(2)
  })

  it('draws memory over time from the samples, and the trend where there is a history', async () => {
    const charts = await page.evaluate<{ file: string; overTime: number | null; trend: number | null; budgetLine: boolean }[]>(
      `[...document.querySelectorAll('section.file')].map((s) => ({ file: s.dataset.file,
        overTime: s.querySelector('svg.over-time polyline.series')?.getAttribute('points').split(' ').length ?? null,
        trend: s.querySelector('svg.trend polyline.series')?.getAttribute('points').split(' ').length ?? null,
        budgetLine: !!s.querySelector('svg.over-time polyline.budget-line') }))`,
    )
    model.files.forEach((f, i) => {
      expect(charts[i]!.overTime).toBe(f.samples!.kib.length)
      expect(charts[i]!.trend).toBe(f.history.length > 1 ? f.history.length : null)
      expect(charts[i]!.budgetLine).toBe(true)
    })
    expect(charts.filter((c) => c.trend !== null).map((c) => c.file)).toEqual(['tests/leaks.test.ts', 'tests/parses-fixtures.test.ts', 'tests/port-a.test.ts'])
  })

  it('screenshots to a PNG (TESTCELL_REPORT_SCREENSHOT=path keeps it, of TESTCELL_REPORT_FILE if set: the README’s is the demo’s)', async () => {
    const other = process.env.TESTCELL_REPORT_FILE
    const shown = other ? await browser.open(resolve(other)) : page
    expect(await shown.evaluate('document.body.dataset.rendered')).toBe('true')
    const png = await shown.screenshot()
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.length).toBeGreaterThan(20_000)
    const keep = process.env.TESTCELL_REPORT_SCREENSHOT
    if (keep) writeFileSync(resolve(keep), png)
  })
})
