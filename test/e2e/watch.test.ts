import { spawn } from 'node:child_process'
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { expect, inject, it } from 'vitest'

it('watch mode re-runs a changed container file in a new container, and leaves nothing behind when stopped', async () => {
  const project = join(inject('e2eDir'), 'v5')
  const dir = mkdtempSync(join(project, 'watch-'))
  cpSync(new URL('./fixtures/memory', import.meta.url), dir, { recursive: true })
  for (const file of ['leak', 'midway', 'sigkill']) rmSync(join(dir, `tests/${file}.test.ts`))
  const child = spawn(join(project, 'node_modules/.bin/node'), [join(project, 'node_modules/vitest/vitest.mjs'), '--watch'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  // One listener for the whole run; each wait registers a check and removes it, with its timer, when done.
  let output = ''
  const checks = new Set<() => void>()
  const onData = (d: Buffer) => {
    output += d
    for (const check of checks) check()
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const waitFor = (pattern: RegExp, count: number) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        checks.delete(check)
      }
      const check = () => {
        if ((output.match(pattern) ?? []).length < count) return
        done()
        resolve()
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`timed out waiting for ${pattern}:\n${output}`))
      }, 60_000)
      checks.add(check)
      check()
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
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(force)
  }
  expect(checks.size).toBe(0)
  // No launcher or container process of this run is left (they all work in the fixture directory).
  await expect.poll(() => processesIn(dir), { timeout: 5000 }).toEqual([])
})

/** Host pids whose working directory is `dir`. */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === dir
      } catch {
        return false
      }
    })
    .map(Number)
}
