// The `publish-dry-run` tier: `pnpm publish -r --dry-run` from a clean copy of the working tree (tracked and
// new files, no build output), then the file lists and modes of what pnpm and npm pack there. Prints TAP.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { elfMachine, PLATFORMS, packageDir, packageName } from './launcher-platforms.mjs'

/** What each published package must contain: exact lists for the launchers (besides DOCS), required and forbidden files for the rest. */
const EXPECTED = {
  ...Object.fromEntries(Object.keys(PLATFORMS).map((p) => [packageName(p), { exactly: ['README.md', 'package.json', 'testcell-launcher'] }])),
  '@testcell/core': { has: ['package.json', 'bin/testcell.js', 'dist/index.js', 'dist/index.d.ts', 'dist/launcher/locate.js', 'dist/cli/main.js'] },
  'vitest-environment-container': {
    has: ['package.json', 'dist/plugin.js', 'dist/plugin.d.ts', 'dist/environment.js', 'dist/snapshot.js', 'dist/memory/worker-signals.js'],
  },
}
const DOCS = ['CHANGELOG.md', 'LICENSE']
const FORBIDDEN = /(\.test\.|\.map$|\.tsbuildinfo$|^src\/|^prebuilt\/)/
const EXECUTABLES = { '@testcell/core': ['bin/testcell.js'], ...Object.fromEntries(Object.keys(PLATFORMS).map((p) => [packageName(p), ['testcell-launcher']])) }

export function publishCheck(root, pnpm) {
  let n = 0
  let failed = 0
  const ok = (condition, name, detail = '') => {
    n++
    if (!condition) failed++
    console.log(`${condition ? '' : 'not '}ok ${n} - ${name}${!condition && detail ? `\n  # ${detail.replaceAll('\n', '\n  # ')}` : ''}`)
  }
  const copy = mkdtempSync(join(tmpdir(), 'testcell-publish-'))
  try {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean)
    execFileSync('tar', ['-cf', join(copy, '.tree.tar'), '--null', '-T', '-'], { cwd: root, input: files.join('\0') })
    execFileSync('tar', ['-xf', '.tree.tar'], { cwd: copy })
    rmSync(join(copy, '.tree.tar'))
    const run = (cmd, args, cwd = copy) => spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 })

    const install = run(pnpm[0], [...pnpm.slice(1), 'install', '--frozen-lockfile', '--prefer-offline'])
    ok(install.status === 0, 'pnpm install in a clean copy of the checkout', install.stderr + install.stdout)

    const publish = run(pnpm[0], [...pnpm.slice(1), 'publish', '-r', '--dry-run', '--no-git-checks', '--report-summary'])
    ok(publish.status === 0, 'pnpm publish -r --dry-run succeeds', publish.stderr.slice(-4000))
    let published = []
    try {
      published = JSON.parse(readFileSync(join(copy, 'pnpm-publish-summary.json'), 'utf8')).publishedPackages.map((p) => p.name)
    } catch {}
    ok(
      JSON.stringify([...published].sort()) === JSON.stringify(Object.keys(EXPECTED).sort()),
      `it publishes exactly ${Object.keys(EXPECTED).join(', ')}`,
      `published: ${published.join(', ')}`,
    )
    const listed = tarballContents(publish.stdout + publish.stderr)
    for (const [name, expected] of Object.entries(EXPECTED)) checkFiles(ok, `publish --dry-run of ${name}`, listed.get(name) ?? [], expected)

    // The tarballs themselves, as pnpm packs them for `pnpm publish` and npm for `npm publish`/`npm pack`.
    const out = join(copy, '.packed')
    mkdirSync(out)
    for (const name of Object.keys(EXPECTED)) {
      const dir = join(copy, packageDirOf(copy, name))
      const packed = run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', out], dir)
      ok(packed.status === 0, `pnpm pack ${name}`, packed.stderr)
    }
    for (const tarball of readdirSync(out)) {
      const entries = tarEntries(join(out, tarball))
      const name = nameInTarball(join(out, tarball))
      checkFiles(ok, `pnpm pack of ${name}`, [...entries.keys()], EXPECTED[name])
      for (const file of EXECUTABLES[name] ?? [])
        ok(entries.get(file) === 0o755, `pnpm pack keeps ${name}/${file} at 0755`, `mode ${entries.get(file)?.toString(8)}`)
      const platform = Object.keys(PLATFORMS).find((p) => packageName(p) === name)
      if (platform) {
        const binary = execFileSync('tar', ['-xzOf', join(out, tarball), 'package/testcell-launcher'], { maxBuffer: 64 << 20 })
        ok(elfMachine(binary) === PLATFORMS[platform].elfMachine, `${name} holds an ${PLATFORMS[platform].file} ELF launcher`)
        ok(isStatic(binary), `${name}'s launcher is statically linked (no interpreter)`)
      }
    }
    for (const platform of Object.keys(PLATFORMS)) {
      const npmPack = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], join(copy, packageDir(platform)))
      const mode = (() => {
        try {
          return JSON.parse(npmPack.stdout)[0].files.find((f) => f.path === 'testcell-launcher')?.mode
        } catch {
          return undefined
        }
      })()
      ok(mode === 0o755, `npm pack (as npm publish packs) keeps ${packageName(platform)}/testcell-launcher at 0755`, `mode ${mode?.toString(8)}`)
    }
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
  console.log(`1..${n}`)
  return { passed: n - failed, failed }
}

function checkFiles(ok, what, files, expected) {
  const list = files.join(', ')
  if (expected.exactly) {
    const shipped = files.filter((f) => !DOCS.includes(f)).sort()
    ok(JSON.stringify(shipped) === JSON.stringify(expected.exactly), `${what}: exactly ${expected.exactly.join(', ')}`, list)
  }
  for (const file of expected.has ?? []) ok(files.includes(file), `${what}: has ${file}`, list)
  const extra = files.filter((f) => FORBIDDEN.test(f))
  ok(extra.length === 0, `${what}: no sources, tests, maps or build info`, extra.join(', '))
}

/** `npm notice` Tarball Contents blocks: package name -> file paths. */
function tarballContents(output) {
  const contents = new Map()
  let name
  let inContents = false
  for (const line of output.split('\n')) {
    const header = /npm notice 📦\s+(.+)@[^@]+$/.exec(line)
    if (header) [, name] = header
    else if (/npm notice Tarball Contents/.test(line)) inContents = true
    else if (/npm notice Tarball Details/.test(line)) inContents = false
    else if (inContents && name) {
      const file = /npm notice [\d.]+k?M?B (.+)$/.exec(line)?.[1]
      if (file) contents.set(name, [...(contents.get(name) ?? []), file])
    }
  }
  return contents
}

/** path inside `package/` -> permission bits. */
function tarEntries(tarball) {
  const entries = new Map()
  for (const line of execFileSync('tar', ['-tvzf', tarball], { encoding: 'utf8' }).trim().split('\n')) {
    const [perms] = line.split(/\s+/)
    const path = line.slice(line.indexOf('package/') + 'package/'.length)
    entries.set(path, permissionBits(perms))
  }
  return entries
}

function permissionBits(perms) {
  let mode = 0
  for (const [i, c] of [...perms.slice(1, 10)].entries()) if (c !== '-') mode |= 1 << (8 - i)
  return mode
}

function nameInTarball(tarball) {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })).name
}

function packageDirOf(copy, name) {
  for (const dir of readdirSync(join(copy, 'packages'))) {
    if (JSON.parse(readFileSync(join(copy, 'packages', dir, 'package.json'), 'utf8')).name === name) return join('packages', dir)
  }
  throw new Error(`no package ${name} under packages/`)
}

/** A 64-bit ELF without a PT_INTERP program header (static or static-pie). */
function isStatic(elf) {
  const phoff = Number(elf.readBigUInt64LE(32))
  const phentsize = elf.readUInt16LE(54)
  const phnum = elf.readUInt16LE(56)
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return false
  return true
}

// Run by hand: node scripts/lib/publish-check.mjs
if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = publishCheck(join(import.meta.dirname, '../..'), ['npx', '-y', 'pnpm@10'])
  writeFileSync(1, `${counts.passed} passed, ${counts.failed} failed\n`)
}
