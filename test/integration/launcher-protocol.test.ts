import { spawnSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startContainer } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { CLI, tempProject } from './helpers.js'

/** A stand-in launcher (shell) that says hello with another protocol version, then waits for EOF. */
function fakeLauncher(dir: string, hello: string): string {
  const path = join(dir, 'old-launcher')
  writeFileSync(path, `#!/bin/sh\nfd=$2\necho '${hello}' >&$fd\ncat <&$fd >/dev/null\nexit 125\n`)
  chmodSync(path, 0o755)
  return path
}

describe('launcher protocol', () => {
  it('a launcher of another protocol version is refused naming both versions and where it was found', async () => {
    using project = tempProject()
    const launcher = fakeLauncher(project.dir, '{"type":"hello","protocol":1}')
    const previous = process.env.TESTCELL_LAUNCHER
    process.env.TESTCELL_LAUNCHER = launcher
    try {
      const container = startContainer({ command: ['true'] })
      const error = await container.result.then(
        () => null,
        (e: Error & { code?: string }) => e,
      )
      expect(error).toMatchObject({ code: 'TESTCELL_LAUNCHER_PROTOCOL' })
      expect(error?.message).toContain(`the launcher ${launcher} speaks protocol version 1`)
      expect(error?.message).toContain('speaks version 2')
    } finally {
      if (previous === undefined) delete process.env.TESTCELL_LAUNCHER
      else process.env.TESTCELL_LAUNCHER = previous
    }
  })

  it('a path with non-ASCII characters comes back intact in an error record', async () => {
    const container = startContainer({ command: ['true'], workdir: '/nowhere/café-ü' })
    await expect(container.result).rejects.toMatchObject({ failure: expect.objectContaining({ stage: 'cwd', path: '/nowhere/café-ü' }) })
  })

  it('a payload that dumps core leaves no core file of the launcher in the caller’s directory; its status is 128+N', async () => {
    using project = tempProject()
    // Core dumps allowed, as on many CI hosts: a launcher that re-raised SIGSEGV would drop its core right here.
    const run = spawnSync('sh', ['-c', `ulimit -c unlimited && exec "${process.execPath}" "${CLI}" run -- sh -c 'kill -SEGV $$'`], { cwd: project.dir })
    expect(run.status).toBe(139)
    const pattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8')
    expect(pattern.startsWith('|') || readdirSync(project.dir).filter((f) => f.startsWith('core'))).toEqual([])
  })
})
