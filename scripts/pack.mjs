// `pnpm pack:all`: packs every published package into ./packed/*.tgz and prints the tarballs it wrote.
// Nothing is built or re-tarred here: each package's `prepack` builds what it ships (the launcher packages
// their static launcher, cross-compiled where needed; core and the plugin their dist/), exactly as
// `pnpm publish -r` does. As root, the Debian cross compilers are installed first.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { ensureDebianPackages } from './lib/debian.mjs'
import { crossPackages, PLATFORMS } from './lib/launcher-platforms.mjs'

const root = resolve(import.meta.dirname, '..')
const quiet = process.argv.includes('--quiet')
const pnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', 'pnpm@10']

const missing = ensureDebianPackages(Object.keys(PLATFORMS).flatMap(crossPackages))
if (missing) console.error(`pack: ${missing}; the launcher packages of other architectures will fail to build`)

const out = join(root, 'packed')
rmSync(out, { recursive: true, force: true })
mkdirSync(out)
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private)
for (const dir of packages) {
  execFileSync(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', out], { cwd: dir, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' })
}
for (const file of readdirSync(out).sort()) console.log(relative(process.cwd(), join(out, file)))
