// Builds the launcher from native/ and the TypeScript packages. Run by `pnpm install` (postinstall) and `pnpm build`.
// Building the launcher needs a C compiler that links statically (Debian: gcc and libc6-dev). Without one the
// install does not fail: it says in one line which launcher will be used (a previous build, or the platform
// package's file in packages/launcher-*), or that none is there yet, and goes on with the TypeScript, so a
// TypeScript-only contributor can install. `pnpm build:launcher` builds the launcher from source.
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })

/** Why this machine cannot build the launcher, or null when it can. */
function missingToolchain() {
  const cc = process.env.CC || 'cc'
  const dir = mkdtempSync(join(tmpdir(), 'testcell-cc-'))
  try {
    writeFileSync(join(dir, 'probe.c'), 'int main(void) { return 0; }\n')
    const probe = spawnSync(cc, ['-static', '-o', join(dir, 'probe'), join(dir, 'probe.c')], { encoding: 'utf8' })
    if (probe.error) return `no C compiler (${cc})`
    if (probe.status !== 0) return `${cc} cannot link statically (no static libc: Debian's libc6-dev)`
    return null
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function existingLauncher() {
  const candidates = [
    process.env.TESTCELL_LAUNCHER,
    join(root, 'native/build/testcell-launcher'),
    join(root, `packages/launcher-linux-${process.arch}/testcell-launcher`),
  ]
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK)
      return !!path
    } catch {
      return false
    }
  })
}

const missing = missingToolchain()
if (!missing) run('make', ['-s', '-C', 'native'])
else {
  const launcher = existingLauncher()
  console.log(
    launcher
      ? `testcell: ${missing}: the launcher is not rebuilt; using ${relative(root, launcher) || launcher} (\`pnpm build:launcher\` builds it from source)`
      : `testcell: ${missing}: no launcher is built, so containers cannot start here until \`pnpm build:launcher\` runs with a C compiler and a static libc (or TESTCELL_LAUNCHER points at one)`,
  )
}
run(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'packages/core', 'packages/vitest-plugin'])
