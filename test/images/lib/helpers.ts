import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { createContainer } from '../../../packages/core/src/images/create-container.js'
import type { ContainerOptions } from '../../../packages/core/src/options/container-options.js'
import { busyboxLayer } from './busybox.js'
import { type CraftOptions, writeImage } from './oci.js'
import { type TarEntry, tar } from './tar-writer.js'

export const isRoot = process.getuid?.() === 0
export const CLI = join(import.meta.dirname, '../../../packages/core/bin/testcell.js')

/** A fresh layer store for this test file (TESTCELL_IMAGE_STORE), removed afterwards. */
export function useStore(): { readonly path: string } {
  const state = { path: '' }
  let previous: string | undefined
  beforeAll(() => {
    previous = process.env.TESTCELL_IMAGE_STORE
    state.path = mkdtempSync(join(tmpdir(), 'testcell-store-'))
    process.env.TESTCELL_IMAGE_STORE = state.path
  })
  afterAll(() => {
    process.env.TESTCELL_IMAGE_STORE = previous
    if (previous === undefined) delete process.env.TESTCELL_IMAGE_STORE
    rmSync(state.path, { recursive: true, force: true })
  })
  return state
}

/** Removes a tree, read-only directories (a 0555 layer directory) included, also for a user who is not root. */
export function removeTree(dir: string): void {
  const writable = (path: string): void => {
    try {
      chmodSync(path, 0o700)
      for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) writable(join(path, entry.name))
    } catch {
      // not ours, or gone
    }
  }
  writable(dir)
  rmSync(dir, { recursive: true, force: true })
}

const scratches: string[] = []
afterAll(() => {
  for (const dir of scratches) removeTree(dir)
})

/** A scratch directory, removed by `using` or at the end of the test file. */
export function scratch(prefix = 'testcell-img-'): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  scratches.push(dir)
  return { dir, [Symbol.dispose]: () => removeTree(dir) }
}

let crafted = 0
const craftRoot = mkdtempSync(join(tmpdir(), 'testcell-crafted-'))
afterAll(() => rmSync(craftRoot, { recursive: true, force: true }))

/** An OCI layout of busybox plus the given layers; returns its `oci:` reference. */
export function craftImage(layers: TarEntry[][], options: CraftOptions & { base?: boolean } = {}): string {
  const dir = join(craftRoot, String(crafted++))
  mkdirSync(dir)
  const tars = [...(options.base === false ? [] : [tar(busyboxLayer())]), ...layers.map((l) => tar(l))]
  writeImage(dir, tars, options)
  return `oci:${dir}`
}

export interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a shell script in a container of `image` (with the layer store at `storePath`, when given). */
export async function inImage(image: string, script: string, options: Partial<ContainerOptions> = {}, storePath?: string): Promise<Ran> {
  const previous = process.env.TESTCELL_IMAGE_STORE
  if (storePath) process.env.TESTCELL_IMAGE_STORE = storePath
  const container = await createContainer({ workdir: '/', visiblePaths: [], ...options, image, command: ['/bin/sh', '-c', script] }).finally(() => {
    process.env.TESTCELL_IMAGE_STORE = previous
  })
  let stdout = ''
  let stderr = ''
  container.process.stdout?.on('data', (d: Buffer) => (stdout += d))
  container.process.stderr?.on('data', (d: Buffer) => (stderr += d))
  container.process.stdin?.end()
  const result = await container.result
  return { code: result.exitCode, stdout, stderr }
}

/** Runs the testcell CLI. */
export function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
