// Packs @testcell/core (with a prebuilt static launcher for this architecture) and
// vitest-environment-container into ./packed/*.tgz, installable with no compiler.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' })

run('make', ['-s', '-C', 'native', 'static'])
run(process.execPath, ['scripts/build.mjs'])
const prebuilt = join(root, 'packages/core/prebuilt', `linux-${process.arch}`)
rmSync(join(root, 'packages/core/prebuilt'), { recursive: true, force: true })
mkdirSync(prebuilt, { recursive: true })
copyFileSync(join(root, 'native/build/testcell-launcher'), join(prebuilt, 'testcell-launcher'))
chmodSync(join(prebuilt, 'testcell-launcher'), 0o755)

const out = join(root, 'packed')
rmSync(out, { recursive: true, force: true })
mkdirSync(out)
const pnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', 'pnpm@10']
for (const pkg of ['packages/core', 'packages/vitest-plugin']) {
  run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', out], join(root, pkg))
}
// pnpm pack stores every file but declared bins as 0644: put the launcher's execute bits back.
const core = join(
  out,
  readdirSync(out).find((f) => f.startsWith('testcell-core-')),
)
const staging = mkdtempSync(join(tmpdir(), 'testcell-pack-'))
run('tar', ['-xzf', core, '-C', staging])
chmodSync(join(staging, 'package/prebuilt', `linux-${process.arch}`, 'testcell-launcher'), 0o755)
run('tar', ['-czf', core, '-C', staging, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '--mtime=1985-10-26 08:15:00Z', 'package'])
rmSync(staging, { recursive: true, force: true })
rmSync(join(root, 'packages/core/prebuilt'), { recursive: true, force: true })
console.log(`packed into ${out}`)
