import type { HistoryEntry } from '@testcell/core'
import type { FileRow } from '../../packages/vitest-plugin/src/memory/rows.js'

const MiB = 1024 * 1024

/** A memory curve: a Node worker's start, then `shape` over `seconds`, sampled every `everyMs`. */
function samples(seconds: number, shape: (t: number) => number, everyMs = 100): { everyMs: number; kib: number[] } {
  const count = Math.round((seconds * 1000) / everyMs)
  return { everyMs, kib: Array.from({ length: count }, (_, i) => Math.round((shape(i / count) * MiB) / 1024)) }
}

const boot = (t: number) => 18 + Math.min(1, t * 6) * 4

/** The demo suite's files (fixtures/demo), as the reporter sees them after a run, plus one file near its budget. */
export function demoRows(): FileRow[] {
  const file = (f: Partial<FileRow> & Pick<FileRow, 'file' | 'peakBytes' | 'limitBytes' | 'tests'>): FileRow => ({
    project: '',
    state: 'passed',
    verdict: null,
    options: { memory: f.limitBytes === 96 * MiB ? '96MiB' : '256MiB' },
    samples: null,
    heaviest: null,
    ...f,
  })
  return [
    file({
      file: 'tests/port-a.test.ts',
      peakBytes: 23.3 * MiB,
      limitBytes: 256 * MiB,
      tests: [{ name: 'binds the fixed port 4321', peakBytes: 23.1 * MiB, shared: false, state: 'passed' }],
      samples: samples(1.2, (t) => boot(t) + 1.3),
    }),
    file({
      file: 'tests/leaks.test.ts',
      peakBytes: 96 * MiB,
      limitBytes: 96 * MiB,
      state: 'failed',
      verdict: 'budget',
      tests: [
        { name: 'starts small', peakBytes: 24.2 * MiB, shared: false, state: 'passed' },
        { name: 'leaks memory until its budget stops it', peakBytes: 96 * MiB, shared: false, state: 'failed' },
      ],
      samples: samples(1.6, (t) => (t < 0.3 ? boot(t) + 2 : Math.min(96, 24 + (t - 0.3) * 110))),
    }),
    file({
      file: 'tests/parses-fixtures.test.ts',
      peakBytes: 236.4 * MiB,
      limitBytes: 256 * MiB,
      tests: [
        { name: 'parser > reads the small fixture', peakBytes: 31.5 * MiB, shared: false, state: 'passed' },
        { name: 'parser > reads the 200 MB fixture', peakBytes: 236.4 * MiB, shared: false, state: 'passed' },
        { name: 'parser > <script>alert(1)</script> is only a name', peakBytes: 40 * MiB, shared: false, state: 'passed' },
      ],
      samples: samples(3, (t) => boot(t) + (t > 0.35 && t < 0.8 ? 214 * Math.sin(((t - 0.35) / 0.45) * Math.PI) : 8)),
    }),
    file({
      file: 'tests/leaves-process.test.ts',
      peakBytes: 21.9 * MiB,
      limitBytes: 256 * MiB,
      tests: [{ name: 'starts a process and leaves it running', peakBytes: 21.5 * MiB, shared: false, state: 'passed' }],
      samples: samples(0.8, boot),
    }),
    file({
      file: 'tests/writes-etc.test.ts',
      peakBytes: 21.7 * MiB,
      limitBytes: 256 * MiB,
      tests: [{ name: 'writes to /etc/hosts', peakBytes: 21.2 * MiB, shared: false, state: 'passed' }],
      samples: samples(0.7, boot),
    }),
  ].map((row) => ({ ...row, heaviest: heaviest(row.tests) }))
}

function heaviest(tests: FileRow['tests']): FileRow['heaviest'] {
  const top = [...tests].sort((a, b) => (b.peakBytes ?? 0) - (a.peakBytes ?? 0))[0]
  return top?.peakBytes ? { name: top.name, peakBytes: top.peakBytes } : null
}

/** Earlier runs: the fixture parser creeping up towards its budget over 12 runs, the leak killed every time. */
export function demoHistory(): HistoryEntry[] {
  const entries: HistoryEntry[] = []
  for (let run = 0; run < 12; run++) {
    const at = new Date(Date.UTC(2025, 5, 1 + run)).toISOString()
    const base = { v: 1 as const, run: `run-${run}`, at, project: '', tests: [] }
    entries.push({
      ...base,
      file: 'tests/parses-fixtures.test.ts',
      outcome: 'passed',
      peakBytes: (170 + run * 6 + (run % 3) * 4) * MiB,
      limitBytes: 256 * MiB,
      options: { memory: '256MiB' },
    })
    entries.push({ ...base, file: 'tests/leaks.test.ts', outcome: 'budget', peakBytes: 96 * MiB, limitBytes: 96 * MiB, options: { memory: '96MiB' } })
    entries.push({
      ...base,
      file: 'tests/port-a.test.ts',
      outcome: 'passed',
      peakBytes: (22.5 + (run % 4) * 0.3) * MiB,
      limitBytes: 256 * MiB,
      options: { memory: '256MiB' },
    })
  }
  return entries
}
