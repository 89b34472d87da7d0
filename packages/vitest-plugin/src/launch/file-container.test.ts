import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileContainerOptions, memoryLimitOf } from './file-container.js'

const root = mkdtempSync(join(tmpdir(), 'testcell-project:with-colon-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const distPath = join(dirname(realpathSync(createRequire(import.meta.url).resolve('vitest/package.json'))), 'dist')
const base = { root, distPath, execArgv: ['--conditions', 'node'], env: { VITEST: 'true' } }

describe('fileContainerOptions', () => {
  it("runs Vitest's own forks worker with this Node, marked as a container worker", () => {
    const options = fileContainerOptions({ ...base, options: { env: { A: '1' } } })
    expect(options.command).toEqual([realpathSync(process.execPath), '--conditions', 'node', join(distPath, 'workers/forks.js')])
    expect(options.baseEnv).toMatchObject({ VITEST: 'true', TESTCELL_CONTAINER: '1' })
    expect(options).toMatchObject({ env: { A: '1' }, workdir: root, ipc: 'advanced', stdio: 'pipe', network: 'loopback' })
  })

  it('resolves relative volume sources against the project root, as objects (paths with ":" stay whole)', () => {
    const options = fileContainerOptions({ ...base, options: { volumes: ['data:/data:ro', { source: 'a:b', target: '/mnt/c:d' }] } })
    expect(options.volumes).toEqual([
      { source: join(root, 'data'), target: '/data', readonly: true },
      { source: join(root, 'a:b'), target: '/mnt/c:d', readonly: false },
    ])
  })

  it('binds the coverage reports directory read-write (Vitest 5 workers write there), creating it', () => {
    const options = fileContainerOptions({ ...base, options: {}, coverage: { enabled: true, reportsDirectory: 'coverage' } })
    expect(options.volumes).toEqual([{ source: join(root, 'coverage'), target: join(root, 'coverage'), readonly: false }])
    expect(existsSync(join(root, 'coverage'))).toBe(true)
    expect(fileContainerOptions({ ...base, options: {}, coverage: { enabled: false, reportsDirectory: 'x' } }).volumes).toEqual([])
  })

  it('resolves an image file against the project root; in an image the host Node is not shown', () => {
    const options = fileContainerOptions({ ...base, options: { image: 'oci:.' } })
    expect(options.image).toBe(`oci:${root}`)
    expect(options.visiblePaths).not.toContain(dirname(realpathSync(process.execPath)))
    expect(() => fileContainerOptions({ ...base, options: { image: 'rootfs:./missing.tar' } })).toThrow(`${join(root, 'missing.tar')} does not exist`)
  })

  it('keeps the project, Vitest and the Node binary visible', () => {
    const { visiblePaths } = fileContainerOptions({ ...base, options: {} })
    expect(visiblePaths).toEqual(expect.arrayContaining([root, dirname(distPath), dirname(realpathSync(process.execPath))]))
  })
})

describe('memoryLimitOf', () => {
  it('is the budget in bytes, or null', () => {
    expect(memoryLimitOf({ memory: '64MiB' })).toBe(64 * 1024 * 1024)
    expect(memoryLimitOf({})).toBeNull()
  })
})
