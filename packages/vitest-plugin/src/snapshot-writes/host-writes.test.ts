import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type SnapshotWriteError, takeSnapshotRequest } from './host-writes.js'

const root = mkdtempSync(join(tmpdir(), 'testcell-host-writes-'))
const testFile = join(root, 'tests/a.test.ts')
mkdirSync(join(root, 'tests'))
writeFileSync(testFile, 'test file\n')
writeFileSync(join(root, 'README.md'), 'readme\n')
afterAll(() => rmSync(root, { recursive: true, force: true }))

function take(message: Record<string, unknown>): SnapshotWriteError[] {
  const reported: SnapshotWriteError[] = []
  takeSnapshotRequest(
    { __testcell__: 'snapshot', ...message },
    {
      testFiles: [testFile],
      snapshotPath: (f) => join(dirname(f), '__snapshots__', `${basename(f)}.snap`),
      root,
      report: (error) => reported.push(error),
    },
  )
  return reported
}

describe('takeSnapshotRequest', () => {
  it('writes an allowed snapshot file, creating its directory, and removes it', () => {
    const snap = join(root, 'tests/__snapshots__/a.test.ts.snap')
    expect(take({ method: 'saveSnapshotFile', path: snap, content: 'exports[`x`] = `1`;\n' })).toEqual([])
    expect(readFileSync(snap, 'utf8')).toBe('exports[`x`] = `1`;\n')
    expect(take({ method: 'removeSnapshotFile', path: snap })).toEqual([])
    expect(existsSync(snap)).toBe(false)
  })

  it('reports a refusal with a stable code, the method, the path and the running file, and changes nothing', () => {
    const [error, ...more] = take({ method: 'removeSnapshotFile', path: join(root, 'README.md') })
    expect(more).toEqual([])
    expect(error).toMatchObject({ code: 'TESTCELL_SNAPSHOT_WRITE_REFUSED', name: 'SnapshotWriteError' })
    expect(error!.message).toMatch(/^refused removeSnapshotFile README\.md from the container running tests\/a\.test\.ts: it is not the snapshot file/)
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('readme\n')
  })

  it('reports a write that fails on the host (a path below a regular file) instead of throwing', () => {
    let reported: SnapshotWriteError[] = []
    expect(() => {
      reported = take({ method: 'saveFileSnapshot', path: join(root, 'tests/a.test.ts/out.txt'), content: 'x' })
    }).not.toThrow()
    expect(reported).toHaveLength(1)
    expect(reported[0]).toMatchObject({ code: 'TESTCELL_SNAPSHOT_WRITE_FAILED', cause: expect.objectContaining({ code: 'EEXIST' }) })
    expect(reported[0]!.message).toMatch(/^could not apply saveFileSnapshot tests\/a\.test\.ts\/out\.txt .*EEXIST/)
  })

  it('refuses messages that only carry the key', () => {
    const reported: SnapshotWriteError[] = []
    takeSnapshotRequest({ __testcell__: 'exec' }, { testFiles: [testFile], snapshotPath: () => '', root, report: (e) => reported.push(e) })
    expect(reported[0]!.message).toMatch(/it is not a snapshot request/)
  })
})
