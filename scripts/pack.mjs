// Packs @testcell/core (with a prebuilt static launcher for this architecture) and
// vitest-environment-container into ./packed/*.tgz, installable with no compiler.
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs'
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
console.log(`packed into ${out}`)
