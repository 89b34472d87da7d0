import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findLauncher, type LauncherLookup } from './locate.js'
import { LAUNCHER_PLATFORMS, launcherPackage } from './platforms.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'testcell-locate-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A fake installed launcher package `name` holding a launcher file with `mode`. */
function installPackage(name: string, mode = 0o755): string {
  const pkg = join(dir, 'node_modules', name)
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, 'testcell-launcher'), `#!/bin/sh\n# ${name}\n`)
  chmodSync(join(pkg, 'testcell-launcher'), mode)
  return pkg
}

function lookup(overrides: Partial<LauncherLookup> = {}): LauncherLookup {
  return {
    env: {},
    platform: 'linux',
    arch: 'x64',
    workspaceBuild: join(dir, 'native/build/testcell-launcher'),
    resolvePackage: (name) => (existsSync(join(dir, 'node_modules', name)) ? join(dir, 'node_modules', name) : undefined),
    cacheDir: join(dir, 'cache'),
    ...overrides,
  }
}

describe('findLauncher', () => {
  it.each([
    ['x64', '@testcell/launcher-linux-x64'],
    ['arm64', '@testcell/launcher-linux-arm64'],
  ])('finds the platform package on linux-%s', (arch, name) => {
    installPackage('@testcell/launcher-linux-x64')
    installPackage('@testcell/launcher-linux-arm64')
    expect(findLauncher(lookup({ arch }))).toBe(join(dir, 'node_modules', name, 'testcell-launcher'))
  })

  it('prefers $TESTCELL_LAUNCHER, then the checkout build, then the package', () => {
    installPackage('@testcell/launcher-linux-x64')
    const build = join(dir, 'native/build/testcell-launcher')
    mkdirSync(join(dir, 'native/build'), { recursive: true })
    writeFileSync(build, '')
    chmodSync(build, 0o755)
    expect(findLauncher(lookup())).toBe(build)
    const own = join(dir, 'own-launcher')
    writeFileSync(own, '')
    chmodSync(own, 0o755)
    expect(findLauncher(lookup({ env: { TESTCELL_LAUNCHER: own } }))).toBe(own)
    expect(() => findLauncher(lookup({ env: { TESTCELL_LAUNCHER: join(dir, 'missing') } }))).toThrow(/TESTCELL_LAUNCHER=.*missing is not an executable file/)
  })

  it.each([
    ['linux', 'riscv64', /no prebuilt testcell launcher for linux-riscv64/],
    ['darwin', 'arm64', /no prebuilt testcell launcher for darwin-arm64: .*Containers need a Linux kernel/],
    ['win32', 'x64', /for win32-x64: .*Containers need a Linux kernel/],
  ])('on %s-%s says which platforms exist and how to build from source', (platform, arch, pattern) => {
    const error = (() => {
      try {
        findLauncher(lookup({ platform, arch }))
      } catch (e) {
        return e as Error & { code: string }
      }
    })()
    expect(error?.code).toBe('TESTCELL_LAUNCHER_NOT_FOUND')
    expect(error?.message).toMatch(pattern)
    expect(error?.message).toContain('published for linux-x64 and linux-arm64 (@testcell/launcher-linux-x64, @testcell/launcher-linux-arm64)')
    expect(error?.message).toContain('make -C native')
    expect(error?.message).toContain('TESTCELL_LAUNCHER=<checkout>/native/build/testcell-launcher')
  })

  it('says the optional dependency is missing when the platform package is not installed', () => {
    expect(() => findLauncher(lookup())).toThrow(/@testcell\/launcher-linux-x64 is not installed.*--omit=optional/)
  })

  it('says the package is broken when it has no launcher file', () => {
    rmSync(join(installPackage('@testcell/launcher-linux-x64'), 'testcell-launcher'))
    expect(() => findLauncher(lookup())).toThrow(/launcher-linux-x64 at .* has no testcell-launcher: reinstall it/)
  })

  it('runs a private 0755 copy of a launcher that arrived without its execute bit, and reuses it', () => {
    const source = join(installPackage('@testcell/launcher-linux-x64', 0o644), 'testcell-launcher')
    const copy = findLauncher(lookup())
    expect(copy).toMatch(new RegExp(`^${join(dir, 'cache/launcher')}/[0-9a-f]{16}/testcell-launcher$`))
    expect(statSync(copy).mode & 0o777).toBe(0o755)
    expect(readFileSync(copy)).toEqual(readFileSync(source))
    expect(statSync(join(dir, 'cache')).mode & 0o777).toBe(0o700)
    const { mtimeMs } = statSync(copy)
    expect(findLauncher(lookup())).toBe(copy)
    expect(statSync(copy).mtimeMs).toBe(mtimeMs)
    expect(statSync(source).mode & 0o777).toBe(0o644)
  })

  it('replaces a cached copy whose content differs', () => {
    installPackage('@testcell/launcher-linux-x64', 0o644)
    const copy = findLauncher(lookup())
    writeFileSync(copy, 'tampered')
    expect(findLauncher(lookup())).toBe(copy)
    expect(readFileSync(copy, 'utf8')).toContain('@testcell/launcher-linux-x64')
  })

  it('refuses a cache directory that others can write to', () => {
    installPackage('@testcell/launcher-linux-x64', 0o644)
    mkdirSync(join(dir, 'cache'))
    chmodSync(join(dir, 'cache'), 0o777)
    expect(() => findLauncher(lookup())).toThrow(/cache is not a private directory of this user .*mode 777/)
  })
})

describe('launcher platforms', () => {
  const repo = new URL('../../../../', import.meta.url)
  const manifest = (path: string) => JSON.parse(readFileSync(new URL(path, repo), 'utf8'))

  it('match the packages in the repository and @testcell/core optionalDependencies', () => {
    const dirs = readdirSync(new URL('packages/', repo)).filter((d) => d.startsWith('launcher-'))
    expect(dirs.map((d) => d.replace('launcher-', '')).sort()).toEqual([...LAUNCHER_PLATFORMS].sort())
    expect(Object.keys(manifest('packages/core/package.json').optionalDependencies).sort()).toEqual(LAUNCHER_PLATFORMS.map(launcherPackage).sort())
    for (const platform of LAUNCHER_PLATFORMS) {
      const pkg = manifest(`packages/launcher-${platform}/package.json`)
      expect(pkg.name).toBe(launcherPackage(platform))
      expect([...pkg.os, ...pkg.cpu].join('-')).toBe(platform)
      expect(pkg.files).toEqual(['testcell-launcher'])
      expect(pkg.publishConfig.executableFiles).toEqual(['./testcell-launcher'])
    }
  })

  it('only the launcher packages restrict os or cpu', () => {
    for (const pkg of ['packages/core/package.json', 'packages/vitest-plugin/package.json']) {
      expect(manifest(pkg)).not.toHaveProperty('os')
      expect(manifest(pkg)).not.toHaveProperty('cpu')
    }
  })
})
