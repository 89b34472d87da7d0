import type { ReportFile, ReportModel } from './model.js'

/** The little of the DOM the renderer uses (the package compiles without the DOM library). */
export interface PageNode {
  append(...nodes: (PageNode | string)[]): void
  setAttribute(name: string, value: string): void
  textContent: string | null
  readonly childElementCount: number
}

export interface PageDocument {
  createElement(tag: string): PageNode
  createElementNS(namespace: string, tag: string): PageNode
  createTextNode(text: string): PageNode
  readonly body: PageNode
}

/**
 * Renders the report into the page from its model. It runs in the browser: it is embedded in the HTML as
 * its source text (`renderReport.toString()`), so it must not use anything from outside its own body.
 * Text goes in through textContent only; numbers are formatted as the terminal table formats them.
 */
export function renderReport(model: ReportModel, doc: PageDocument): void {
  const SVG = 'http://www.w3.org/2000/svg'
  const MiB = 1024 * 1024
  const GiB = 1024 * MiB

  const amount = (bytes: number | null): string => {
    if (bytes === null) return '?'
    if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`
    if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`
    if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
    return `${bytes} B`
  }
  const limit = (bytes: number | null): string => {
    if (bytes === null) return 'no budget'
    for (const [unit, size] of [
      ['GiB', GiB],
      ['MiB', MiB],
      ['KiB', 1024],
    ] as const) {
      if (bytes >= size) {
        const value = bytes / size
        return `${Number.isInteger(value) ? value : Number(value.toFixed(2))} ${unit}`
      }
    }
    return `${bytes} B`
  }
  const percent = (share: number | null): string => (share === null ? '-' : `${Math.round(share * 100)}%`)
  const VERDICTS: Record<string, string> = {
    budget: 'killed by its memory budget',
    'host-oom': 'killed: the machine ran out of memory',
    'v8-heap': "aborted: V8's heap limit",
    signal: 'killed by a signal',
    exit: 'the worker exited',
  }

  const el = (tag: string, attrs: Record<string, string> = {}, ...children: (PageNode | string)[]) => {
    const node = doc.createElement(tag)
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value)
    for (const child of children) node.append(typeof child === 'string' ? doc.createTextNode(child) : child)
    return node
  }
  const svg = (tag: string, attrs: Record<string, string | number>, ...children: PageNode[]) => {
    const node = doc.createElementNS(SVG, tag)
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value))
    for (const child of children) node.append(child)
    return node
  }
  const svgText = (x: number, y: number, text: string, cls: string) => {
    const node = svg('text', { x, y, class: cls })
    node.textContent = text
    return node
  }
  const fileClass = (f: ReportFile) =>
    ['file-row', f.verdict === 'budget' ? 'killed' : '', f.near ? 'near' : '', f.verdict ? 'ended' : ''].filter(Boolean).join(' ')

  /** Peak against budget: the track is the budget, the fill the peak (no budget: against the largest peak). */
  const bar = (f: ReportFile, largest: number) => {
    const scale = f.limitBytes ?? largest
    const share = f.peakBytes === null || scale === 0 ? 0 : Math.min(1, f.peakBytes / scale)
    const node = svg(
      'svg',
      { class: 'bar', viewBox: '0 0 300 14', preserveAspectRatio: 'none', role: 'img' },
      svg('rect', { class: f.limitBytes === null ? 'track unbounded' : 'track', x: 0, y: 0, width: 300, height: 14, rx: 3 }),
      svg('rect', { class: 'fill', x: 0, y: 0, width: (share * 300).toFixed(1), height: 14, rx: 3 }),
    )
    if (model.warnAt !== null && f.limitBytes !== null)
      node.append(svg('line', { class: 'warn-mark', x1: model.warnAt * 300, x2: model.warnAt * 300, y1: 0, y2: 14 }))
    node.setAttribute('aria-label', `${amount(f.peakBytes)} of ${limit(f.limitBytes)}`)
    return node
  }

  /** A line chart of values (bytes) over x (seconds or run index), with the budget as a dashed line. */
  const chart = (cls: string, points: { x: number; y: number; bad?: boolean }[], budget: (number | null)[], xLabel: string) => {
    const W = 560
    const H = 150
    const pad = { l: 64, r: 8, t: 10, b: 22 }
    const top = Math.max(1, ...points.map((p) => p.y), ...budget.map((b) => b ?? 0))
    const maxX = Math.max(0, ...points.map((p) => p.x)) || 1
    const px = (x: number) => pad.l + (x / maxX) * (W - pad.l - pad.r)
    const py = (y: number) => H - pad.b - (y / top) * (H - pad.t - pad.b)
    const node = svg('svg', { class: `chart ${cls}`, viewBox: `0 0 ${W} ${H}`, role: 'img' })
    node.append(svg('line', { class: 'axis', x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }))
    node.append(svgText(pad.l - 6, pad.t + 8, amount(top), 'tick y'), svgText(pad.l - 6, H - pad.b, '0', 'tick y'))
    node.append(svgText(W - pad.r, H - 4, xLabel, 'tick x'))
    const budgets = budget.map((b, i) => (b === null ? null : `${px(points[i]?.x ?? 0).toFixed(1)},${py(b).toFixed(1)}`)).filter((p) => p !== null)
    if (budgets.length > 0) {
      const line = budgets.length === 1 ? `${px(0)},${budgets[0]!.split(',')[1]} ${px(maxX)},${budgets[0]!.split(',')[1]}` : budgets.join(' ')
      node.append(svg('polyline', { class: 'budget-line', points: line }))
    }
    node.append(svg('polyline', { class: 'series', points: points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ') }))
    for (const p of points)
      node.append(svg('circle', { class: p.bad ? 'dot bad' : 'dot', cx: px(p.x).toFixed(1), cy: py(p.y).toFixed(1), r: points.length > 60 ? 1 : 2.5 }))
    return node
  }

  const largest = Math.max(1, ...model.files.map((f) => f.peakBytes ?? 0))
  const killed = model.files.filter((f) => f.verdict === 'budget').length
  const near = model.files.filter((f) => f.near).length
  const body = doc.body
  body.append(
    el(
      'header',
      {},
      el('h1', {}, model.title),
      el(
        'p',
        { class: 'summary' },
        `${model.files.length} container files · ${killed} killed by their budget · ${model.warnAt === null ? 'no warnAt' : `${near} above ${percent(model.warnAt)} of their budget`} · generated ${model.generatedAt}`,
      ),
    ),
  )

  const overview = el('section', { id: 'overview' }, el('h2', {}, 'Peak against budget, worst first'))
  model.files.forEach((f, i) => {
    const badge = f.verdict
      ? el('span', { class: `badge ${f.verdict}` }, VERDICTS[f.verdict] ?? f.verdict)
      : f.near
        ? el('span', { class: 'badge near' }, 'near its budget')
        : ''
    overview.append(
      el(
        'div',
        {
          class: fileClass(f),
          'data-file': f.file,
          'data-peak-bytes': String(f.peakBytes ?? ''),
          'data-limit-bytes': String(f.limitBytes ?? ''),
          'data-rank': String(i + 1),
        },
        el('a', { class: 'name', href: `#file-${i + 1}` }, f.project ? `[${f.project}] ${f.file}` : f.file),
        bar(f, largest),
        el('span', { class: 'peak' }, amount(f.peakBytes)),
        el('span', { class: 'limit' }, limit(f.limitBytes)),
        el('span', { class: 'share' }, percent(f.share)),
        badge,
      ),
    )
  })
  body.append(overview)

  model.files.forEach((f, i) => {
    const section = el('section', { class: 'file', id: `file-${i + 1}`, 'data-file': f.file }, el('h2', {}, f.file))
    section.append(el('p', { class: 'facts' }, `peak ${amount(f.peakBytes)} · budget ${limit(f.limitBytes)} · ${percent(f.share)} · ${f.state}`))
    const charts = el('div', { class: 'charts' })
    if (f.samples && f.samples.kib.length > 0) {
      const every = f.samples.everyMs / 1000
      const points = f.samples.kib.map((k, j) => ({ x: j * every, y: k * 1024 }))
      charts.append(
        el('figure', {}, el('figcaption', {}, 'Memory over time'), chart('over-time', points, [f.limitBytes], `${(points.length * every).toFixed(1)} s`)),
      )
    }
    const runs = f.history.filter((h) => h.peakBytes !== null)
    if (runs.length > 1) {
      const points = runs.map((h, j) => ({ x: j, y: h.peakBytes!, bad: h.outcome !== 'passed' && h.outcome !== 'failed' }))
      charts.append(
        el(
          'figure',
          {},
          el('figcaption', {}, `Peak over the last ${runs.length} runs`),
          chart(
            'trend',
            points,
            runs.map((h) => h.limitBytes),
            `${runs.length} runs`,
          ),
        ),
      )
    }
    if (charts.childElementCount > 0) section.append(charts)
    const heaviest = Math.max(-1, ...f.tests.map((t) => t.peakBytes ?? -1))
    const rows = f.tests.map((t) => {
      const share = t.peakBytes !== null && f.limitBytes ? t.peakBytes / f.limitBytes : null
      return el(
        'tr',
        { class: t.peakBytes !== null && t.peakBytes === heaviest ? 'test heaviest' : 'test', 'data-peak-bytes': String(t.peakBytes ?? '') },
        el('td', { class: 'name' }, t.name),
        el('td', { class: 'peak' }, `${amount(t.peakBytes)}${t.shared ? ' (shared)' : ''}`),
        el('td', { class: 'share' }, percent(share)),
        el('td', { class: 'state' }, t.state),
      )
    })
    if (rows.length > 0) {
      section.append(
        el(
          'table',
          { class: 'tests' },
          el('thead', {}, el('tr', {}, el('th', {}, 'test'), el('th', {}, 'peak'), el('th', {}, 'of budget'), el('th', {}, 'state'))),
          el('tbody', {}, ...rows),
        ),
      )
    }
    body.append(section)
  })
  body.setAttribute('data-rendered', 'true')
}
