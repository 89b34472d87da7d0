// The code checks `pnpm test` runs as its first tiers, each usable alone:
//   node scripts/lint.mjs typecheck   tsc over sources and tests (strict, unused checks)
//   node scripts/lint.mjs lint        Biome's linter over the TypeScript; the launcher built with warnings as errors
//   node scripts/lint.mjs format      Biome's formatter and clang-format (native/) in check mode
//   node scripts/lint.mjs --write     formats the whole tree in place
// Exit status 0 when every named check passes.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ensureDebianPackages } from './lib/debian.mjs'

const root = resolve(import.meta.dirname, '..')
const biome = join(root, 'node_modules/@biomejs/biome/bin/biome')
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0

export function nativeSources() {
  return ['native/launcher', 'native/tests'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => /\.[ch]$/.test(f))
      .map((f) => join(dir, f)),
  )
}

const checks = {
  typecheck: () => run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.lint.json']),
  lint: () => run(process.execPath, [biome, 'lint', '--error-on-warnings', '.']) && run('make', ['-s', '-C', 'native', 'lint']),
  format: () => {
    const missing = ensureDebianPackages(['clang-format'])
    if (missing) {
      console.error(`format: clang-format ${missing}`)
      return false
    }
    return run(process.execPath, [biome, 'format', '.']) && run('clang-format', ['--dry-run', '--Werror', ...nativeSources()])
  },
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  if (args.includes('--write')) {
    ensureDebianPackages(['clang-format'])
    const ok = run(process.execPath, [biome, 'check', '--write', '.']) && run('clang-format', ['-i', ...nativeSources()])
    process.exit(ok ? 0 : 1)
  }
  const names = args.length > 0 ? args : Object.keys(checks)
  let ok = true
  for (const name of names) {
    if (!checks[name]) throw new Error(`unknown check ${name}; one of ${Object.keys(checks).join(', ')}`)
    ok = checks[name]() && ok
  }
  process.exit(ok ? 0 : 1)
}
