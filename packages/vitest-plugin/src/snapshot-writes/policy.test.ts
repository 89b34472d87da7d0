import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SNAPSHOT_METHODS, type SnapshotMethod } from '../side-channel.js'
import { type WriteScope, writeRefusal } from './policy.js'

const root = mkdtempSync(join(tmpdir(), 'testcell-policy-'))
const testFile = join(root, 'tests/a.test.ts')
mkdirSync(join(root, 'tests'))
writeFileSync(testFile, "it('x', () => expect(1).toMatchInlineSnapshot(`1`))\n")
symlinkSync('/etc', join(root, 'tests/escape'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

// The project's resolveSnapshotPath: snapshots live in a directory of their own.
const scope: WriteScope = { testFiles: [testFile], snapshotPath: (f) => join(dirname(f), '__custom__', `${basename(f)}.snap`) }
const request = (method: SnapshotMethod, path: string, content: string | null = 'x') => ({
  __testcell__: 'snapshot' as const,
  method,
  path: path.startsWith('/') ? path : join(root, path),
  ...(content === null ? {} : { content }),
})

describe('writeRefusal accepts what Vitest writes for the running test file', () => {
  it.each([
    ['the resolved snapshot file', request('saveSnapshotFile', 'tests/__custom__/a.test.ts.snap')],
    ['its removal', request('removeSnapshotFile', 'tests/__custom__/a.test.ts.snap', null)],
    ['an inline snapshot rewrite of the test file', request('saveTestFile', 'tests/a.test.ts', "it('x', () => expect(1).toMatchInlineSnapshot(`2`))\n")],
    ['a file snapshot below the test file directory', request('saveFileSnapshot', 'tests/__file_snapshots__/out.html')],
    ['a file snapshot beside the test file', request('saveFileSnapshot', 'tests/output.txt')],
  ])('%s', (_, r) => {
    expect(writeRefusal(r, scope)).toBeNull()
  })
})

describe('writeRefusal refuses forged writes, whatever method they claim', () => {
  const forged = ['.github/workflows/release.yml', '.husky/pre-commit', 'Makefile', 'scripts/deploy.sh', 'README.md', 'package.json', '/etc/passwd']
  it.each(forged.flatMap((path) => SNAPSHOT_METHODS.map((method) => [path, method] as const)))('%s via %s', (path, method) => {
    expect(writeRefusal(request(method, path), scope)).toMatch(/./)
  })

  it.each([
    [
      'a .snap path not resolved for the running file (default location)',
      request('saveSnapshotFile', 'tests/__snapshots__/a.test.ts.snap'),
      /not the snapshot file/,
    ],
    ['the removal of README.md', request('removeSnapshotFile', 'README.md', null), /not the snapshot file/],
    ['the removal of the test file', request('removeSnapshotFile', 'tests/a.test.ts', null), /not the snapshot file/],
    ['another test file', request('saveTestFile', 'tests/b.test.ts'), /only rewrite the test file this container runs/],
    [
      'a non-literal change to the test file',
      request('saveTestFile', 'tests/a.test.ts', "import 'evil'\nit('x', () => expect(1).toMatchInlineSnapshot(`1`))\n"),
      /it changes code/,
    ],
    ['a script below the test directory', request('saveFileSnapshot', 'tests/helper.ts'), /never scripts, configuration or extensionless/],
    ['a config file below the test directory', request('saveFileSnapshot', 'tests/fixtures/config.json'), /never scripts/],
    ['an extensionless file below the test directory', request('saveFileSnapshot', 'tests/Makefile'), /extensionless files like Makefile/],
    ['a .snap file as a file snapshot', request('saveFileSnapshot', 'tests/other.test.ts.snap'), /never scripts/],
    ['a dot directory below the test directory', request('saveFileSnapshot', 'tests/.hidden/out.txt'), /starts with "."/],
    ['node_modules below the test directory', request('saveFileSnapshot', 'tests/node_modules/x/out.txt'), /node_modules/],
    ['a way out through ..', request('saveFileSnapshot', 'tests/../outside.txt'), /below the directory of the test file/],
    ['a way out through a symlink', request('saveFileSnapshot', 'tests/escape/out.txt'), /through a symlink/],
    ['an unknown method', { ...request('saveFileSnapshot', 'tests/out.txt'), method: 'writeFile' as SnapshotMethod }, /"writeFile" is not a snapshot method/],
    ['a relative path', { ...request('saveFileSnapshot', 'tests/out.txt'), path: 'tests/out.txt' }, /not an absolute path/],
    ['a write without content', request('saveFileSnapshot', 'tests/out.txt', null), /no text content/],
  ])('%s', (_, r, reason) => {
    expect(writeRefusal(r, scope)).toMatch(reason)
  })
})
