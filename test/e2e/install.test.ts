// The packed-package smoke test: what npm and pnpm installed from the registry (prepare-projects.mjs) in fresh
// projects, on this machine and as for a Mac (--os=darwin --cpu=arm64).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { projectSpec, runVitest } from './helpers.js'

const ELF_MACHINE: Record<string, number> = { x64: 62, arm64: 183 }

/** The launcher package directories installed in a project, whatever the package manager's layout. */
function installedLaunchers(project: string): string[] {
  const npm = join(project, 'node_modules/@testcell')
  const pnpm = join(project, 'node_modules/.pnpm')
  const found = existsSync(npm) ? readdirSync(npm).filter((d) => d.startsWith('launcher-')) : []
  if (existsSync(pnpm)) {
    for (const entry of readdirSync(pnpm).filter((d) => d.startsWith('@testcell+launcher-'))) {
      found.push(...readdirSync(join(pnpm, entry, 'node_modules/@testcell')).filter((d) => d.startsWith('launcher-')))
    }
  }
  return found.sort()
}

function launcherPath(project: string, name: string): string {
  const npm = join(project, 'node_modules/@testcell', name)
  if (existsSync(npm)) return join(npm, 'testcell-launcher')
  const entry = readdirSync(join(project, 'node_modules/.pnpm')).find((d) => d.startsWith(`@testcell+${name}@`))!
  return join(project, 'node_modules/.pnpm', entry, 'node_modules/@testcell', name, 'testcell-launcher')
}

/** This environment without NODE_PATH (pnpm's shims set one that reaches this workspace's packages). */
function cleanEnv(): NodeJS.ProcessEnv {
  const { NODE_PATH: _, TESTCELL_LAUNCHER: __, ...env } = process.env
  return env
}

/** Runs `code` (an ES module) with the project's own copy of @testcell/core, resolved through the plugin. */
function withCore(project: string, code: string) {
  const script = `
    import { createRequire } from 'node:module'
    import { realpathSync } from 'node:fs'
    const plugin = realpathSync('node_modules/vitest-environment-container/package.json')
    const core = await import(createRequire(plugin).resolve('@testcell/core'))
    ${code}`
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8', env: cleanEnv() })
}

describe.each(['v4', 'v5', 'v5-latest', 'pnpm'])('%s: the install on this machine', (name) => {
  it(`has only the linux-${process.arch} launcher package, with an executable ${process.arch} launcher that core finds`, () => {
    const project = join(inject('e2eDir'), name)
    const own = `launcher-linux-${process.arch}`
    expect(installedLaunchers(project)).toEqual([own])
    const launcher = launcherPath(project, own)
    expect(statSync(launcher).mode & 0o777).toBe(0o755)
    const header = readFileSync(launcher).subarray(0, 20)
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF')
    expect(header.readUInt16LE(18)).toBe(ELF_MACHINE[process.arch])
    const located = withCore(project, 'console.log(core.locateLauncher({}))')
    expect(located.stderr).toBe('')
    expect(located.stdout.trim()).toBe(launcher)
  })
})

describe('pnpm: a container file with a memory cap', () => {
  it('is killed at its budget and reported with limit and peak', async () => {
    expect(projectSpec('pnpm').installer).toBe('pnpm')
    const run = await runVitest('pnpm', 'memory', ['tests/leak.test.ts', 'tests/fine.test.ts'])
    expect(run.code).toBe(1)
    expect(run.status('tests/leak.test.ts')).toBe('failed')
    expect(run.status('tests/fine.test.ts')).toBe('passed')
    expect(run.output).toMatch(/killed: memory limit 96 MiB exceeded \(peak \d+\.\d MiB\) while running tests\/leak\.test\.ts/)
  })
})

// process.platform/arch as on a Mac, set before anything else runs (Vitest's own native bindings for darwin
// cannot load on this Linux machine, so only testcell's code sees the simulated platform).
const AS_DARWIN = "Object.defineProperty(process, 'platform', { value: 'darwin' }); Object.defineProperty(process, 'arch', { value: 'arm64' });"

describe.each(['darwin-npm', 'darwin-pnpm'])('%s: an install as for macOS on arm64', (name) => {
  it('succeeds without any launcher package; core then says containers need Linux', () => {
    const project = join(inject('e2eDir'), name)
    expect(projectSpec(name).os).toBe('darwin')
    expect(existsSync(join(project, 'node_modules/vitest-environment-container/package.json'))).toBe(true)
    expect(installedLaunchers(project)).toEqual([])
    const located = withCore(project, `${AS_DARWIN} try { core.locateLauncher({}) } catch (e) { console.log(e.code, e.message) }`)
    expect(located.stderr).toBe('')
    expect(located.stdout).toMatch(/^TESTCELL_LAUNCHER_NOT_FOUND no prebuilt testcell launcher for darwin-arm64: .*Containers need a Linux kernel/)
  })
})

describe('on macOS', () => {
  it('the plugin config module loads and builds the plugin', () => {
    const project = join(inject('e2eDir'), 'v4')
    const script = `await import('vite'); ${AS_DARWIN}
      const { container } = await import('vitest-environment-container/plugin')
      console.log(process.platform, container({ memory: '256MiB' }).name)`
    const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8', env: cleanEnv() })
    expect(loaded.stderr).toBe('')
    expect(loaded.stdout).toMatch(/^darwin \S+/)
  })
})
