import { spawn } from 'node:child_process'
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { expect, inject, it } from 'vitest'

it('watch mode re-runs a changed container file in a new container', async () => {
  const project = join(inject('e2eDir'), 'v5')
  const dir = mkdtempSync(join(project, 'watch-'))
  cpSync(new URL('./fixtures/memory', import.meta.url), dir, { recursive: true })
  rmSync(join(dir, 'tests/leak.test.ts'))
  rmSync(join(dir, 'tests/sigkill.test.ts'))
  const child = spawn(join(project, 'node_modules/.bin/node'), [join(project, 'node_modules/vitest/vitest.mjs'), '--watch'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const waitFor = (pattern: RegExp, count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (output.match(pattern) ?? []).length >= count && resolve()
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}:\n${output}`)), 60_000)
      const onData = (d: Buffer) => {
        output += d
        check()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      check()
      void timer
    })
  try {
    await waitFor(/Waiting for file changes/g, 1)
    appendFileSync(join(dir, 'tests/fine.test.ts'), '\n// changed\n')
    await waitFor(/Waiting for file changes/g, 2)
    expect(output).toMatch(/RERUN/)
    expect(output.match(/Test Files +1 passed/g)?.length).toBeGreaterThanOrEqual(2)
    expect(output.match(/Container memory/g)?.length).toBeGreaterThanOrEqual(2)
    expect(output).not.toMatch(/FAIL|Error/)
  } finally {
    child.kill('SIGTERM')
  }
})
