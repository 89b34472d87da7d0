import type { ReportModel } from './model.js'
import { renderReport } from './page.js'

const STYLE = `
:root { color-scheme: light; --ok: #2f9e44; --near: #e8590c; --killed: #c92a2a; --track: #e9ecef; --ink: #212529; --muted: #868e96; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; padding: 24px; max-width: 1100px; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.summary, .facts { color: var(--muted); margin: 0; }
.file-row { display: grid; grid-template-columns: minmax(220px, 2fr) 3fr 80px 70px 48px minmax(0, 1.6fr); gap: 10px; align-items: center; padding: 5px 0; border-bottom: 1px solid #f1f3f5; }
.file-row .name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; color: var(--ink); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.file-row .peak, .file-row .limit, .file-row .share { text-align: right; font-variant-numeric: tabular-nums; }
.file-row .limit { color: var(--muted); }
.bar { width: 100%; height: 14px; display: block; }
.bar .track { fill: var(--track); } .bar .track.unbounded { fill: none; stroke: #ced4da; stroke-dasharray: 4 3; }
.bar .fill { fill: var(--ok); } .near .bar .fill { fill: var(--near); } .killed .bar .fill { fill: var(--killed); }
.bar .warn-mark { stroke: var(--near); stroke-width: 1.5; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #f1f3f5; white-space: nowrap; justify-self: start; }
.badge.budget { background: #ffe3e3; color: var(--killed); } .badge.near { background: #fff4e6; color: var(--near); }
.badge.host-oom, .badge.v8-heap, .badge.signal, .badge.exit { background: #fff0f6; color: #a61e4d; }
section.file { border-top: 1px solid #dee2e6; margin-top: 24px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; }
figure { margin: 0; flex: 0 1 calc(50% - 8px); min-width: 320px; } figcaption { color: var(--muted); font-size: 12px; margin-bottom: 4px; }
.chart { width: 100%; height: auto; background: #f8f9fa; border-radius: 4px; }
.chart .series { fill: none; stroke: #1c7ed6; stroke-width: 1.8; } .chart .dot { fill: #1c7ed6; } .chart .dot.bad { fill: var(--killed); }
.chart .budget-line { fill: none; stroke: var(--killed); stroke-width: 1.2; stroke-dasharray: 6 4; }
.chart .axis { stroke: #adb5bd; } .chart .tick { font-size: 11px; fill: var(--muted); } .chart .tick.y { text-anchor: end; } .chart .tick.x { text-anchor: end; }
table.tests { border-collapse: collapse; width: 100%; font-size: 13px; }
table.tests th, table.tests td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #f1f3f5; }
table.tests td.peak, table.tests td.share, table.tests th:nth-child(2), table.tests th:nth-child(3) { text-align: right; font-variant-numeric: tabular-nums; }
table.tests tr.heaviest td { font-weight: 600; }
`

/** `<` escaped, so no test name can close the script element the data lives in. */
function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
}

/** One self-contained page: the model as JSON, the renderer and the styles inline; nothing is loaded. */
export function reportHtml(model: ReportModel): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(model.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<script type="application/json" id="testcell-memory-data">${embeddedJson(model)}</script>
<script>
(${renderReport.toString()})(JSON.parse(document.getElementById('testcell-memory-data').textContent), document)
</script>
</body>
</html>
`
}
