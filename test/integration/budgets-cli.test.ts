import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HistoryEntry } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { cli, tempProject } from './helpers.js'

// Vitest reads these tags from any test file's text, this one included: spell them only at run time.
const src = (text: string) => text.replaceAll('@O', `@vitest-environment${'-'}options`).replaceAll('@E', `@vitest-${'environment'}`)
const MiB = 1024 * 1024

const FILES: Record<string, string> = {
  'tests/has-options.test.ts': src('// @E container\r\n// @O {"network":"none","memory":"512MiB"}\r\nimport { test } from "vitest"\r\ntest("ü", () => {})\r\n'),
  'tests/no-docblock.test.ts': 'import { test } from "vitest"\n\ntest("x", () => {})',
  'tests/env-only.test.ts': src('/**\n * @E container\n */\nexport {}\n'),
  'tests/few-runs.test.ts': 'export {}\n',
}

function history(): string {
  const lines: HistoryEntry[] = []
  const peaks: Record<string, number[]> = {
    'tests/has-options.test.ts': [100, 110, 105],
    'tests/no-docblock.test.ts': [30, 31, 29, 30],
    'tests/env-only.test.ts': [200, 190, 210],
    'tests/few-runs.test.ts': [10],
  }
  for (const [file, list] of Object.entries(peaks)) {
    list.forEach((peak, run) => {
      const memory = file === 'tests/has-options.test.ts' ? '512MiB' : '256MiB'
      lines.push({
        v: 1,
        run: `run-${run}`,
        at: new Date(2025, 0, 1 + run).toISOString(),
        project: '',
        file,
        outcome: 'passed',
        peakBytes: peak * MiB,
        limitBytes: (memory === '512MiB' ? 512 : 256) * MiB,
        options: { memory },
        tests: [['x', peak * MiB]],
      })
    })
  }
  return lines.map((l) => JSON.stringify(l)).join('\n')
}

describe('testcell budgets suggest', () => {
  it('prints the table, and --write changes only the memory value of each file', async () => {
    using project = tempProject()
    mkdirSync(join(project.dir, 'tests'))
    mkdirSync(join(project.dir, '.testcell'))
    for (const [file, text] of Object.entries(FILES)) writeFileSync(join(project.dir, file), text)
    writeFileSync(join(project.dir, '.testcell/memory-history.jsonl'), history())

    const shown = await cli(['budgets', 'suggest'], { cwd: project.dir })
    expect(shown.code).toBe(0)
    expect(shown.stdout.split('\n').slice(0, 5)).toEqual([
      'file                       runs        max        p95  budget  suggested',
      'tests/env-only.test.ts        3  210.0 MiB  210.0 MiB  256MiB     320MiB',
      'tests/few-runs.test.ts        1   10.0 MiB   10.0 MiB  256MiB          -',
      'tests/has-options.test.ts     3  110.0 MiB  110.0 MiB  512MiB     144MiB',
      'tests/no-docblock.test.ts     4   31.0 MiB   31.0 MiB  256MiB      48MiB',
    ])
    expect(readFileSync(join(project.dir, 'tests/has-options.test.ts'), 'utf8')).toBe(FILES['tests/has-options.test.ts'])

    const written = await cli(['budgets', 'suggest', '--write'], { cwd: project.dir })
    expect(written.code).toBe(0)
    expect(written.stdout).toMatch(/wrote tests\/has-options\.test\.ts: memory 512MiB -> 144MiB/)
    const read = (file: string) => readFileSync(join(project.dir, file))
    expect(read('tests/has-options.test.ts')).toEqual(Buffer.from(FILES['tests/has-options.test.ts']!.replace('"512MiB"', '"144MiB"')))
    expect(read('tests/no-docblock.test.ts')).toEqual(Buffer.from(src('// @O {"memory":"48MiB"}\n') + FILES['tests/no-docblock.test.ts']))
    expect(read('tests/env-only.test.ts')).toEqual(Buffer.from(src('/**\n * @E container\n * @O {"memory":"320MiB"}\n */\nexport {}\n')))
    expect(read('tests/few-runs.test.ts')).toEqual(Buffer.from(FILES['tests/few-runs.test.ts']!))

    const again = await cli(['budgets', 'suggest', '--write'], { cwd: project.dir })
    expect(again.stdout).not.toMatch(/wrote/)
  })

  it('says what to do when there is no history', async () => {
    using project = tempProject()
    const { code, stderr } = await cli(['budgets', 'suggest'], { cwd: project.dir })
    expect(code).toBe(1)
    expect(stderr).toMatch(/no memory history in .*\.testcell\/memory-history\.jsonl: run the tests with the container\(\) plugin first/)
  })
})
