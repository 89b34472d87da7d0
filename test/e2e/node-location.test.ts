import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, expect, inject, it } from 'vitest'

// Node 22 from the `node` npm package, installed in a folder of its own under /tmp, apart from the project:
// a place the container does not show unless the pool makes it visible.
let node: string

beforeAll(async () => {
  const folder = join(inject('e2eDir'), 'separate-node')
  node = join(folder, 'node_modules/node/bin/node')
  if (!existsSync(node)) {
    mkdirSync(folder, { recursive: true })
    const install = await run('npm', ['install', '--prefix', folder, '--no-audit', '--no-fund', '--loglevel=error', 'node@22.23.3'], folder)
    if (install.code !== 0) throw new Error(`npm install node@22.23.3 failed:\n${install.output}`)
  }
})

it('Vitest 5 on a Node that lives outside the project and the visible tree runs container files', async () => {
  const project = join(inject('e2eDir'), 'v5')
  const dir = mkdtempSync(join(project, 'node-location-'))
  cpSync(new URL('./fixtures/node-location', import.meta.url), dir, { recursive: true })
  const { code, output } = await run(node, [join(project, 'node_modules/vitest/vitest.mjs'), 'run'], dir, { EXPECTED_NODE: realpathSync(node) })
  expect(output).not.toMatch(/command not found/)
  expect(output).toMatch(/Test Files +1 passed \(1\)/)
  expect(code, output).toBe(0)
})

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}
