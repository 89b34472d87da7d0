import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { refusal } from './forwarded-writes.js'

const root = mkdtempSync(join(tmpdir(), 'testcell-writes-'))
mkdirSync(join(root, 'tests'))
symlinkSync('/etc', join(root, 'tests/escape'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const write = (path: string) => ({ __testcell__: 'write' as const, op: 'write' as const, path, content: 'x' })

describe('refusal', () => {
  it.each(['tests/__snapshots__/a.test.ts.snap', 'tests/__snapshots__/output.html', 'tests/a.test.ts', 'tests/output.txt'])('accepts %s', (path) => {
    expect(refusal(write(join(root, path)), root, [join(root, 'tests/a.test.ts')])).toBeNull()
  })

  it.each([
    ['/etc/passwd', /outside the project root/],
    ['tests/escape/passwd', /outside the project root/],
    ['tests/../../x.snap', /outside the project root/],
    ['node_modules/vitest/index.js', /node_modules or .git/],
    ['vitest.config.ts', /never write source, config or dot files/],
    ['tests/b.test.ts', /never write source/],
    ['.env', /dot files/],
  ])('refuses %s', (path, reason) => {
    expect(refusal(write(path.startsWith('/') ? path : join(root, path)), root, [join(root, 'tests/a.test.ts')])).toMatch(reason)
  })
})
