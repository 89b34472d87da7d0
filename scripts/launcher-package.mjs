// `prepack` of packages/launcher-<platform>: builds that platform's static launcher (native/Makefile,
// cross-compiled where the machine differs), puts it into the package as ./testcell-launcher with mode 0755,
// and checks it is an ELF executable for the package's cpu. Run in the package's directory (npm and pnpm do),
// or with the package directory as argument.
import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, copyFileSync, openSync, readFileSync, readSync, renameSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { crossPackages, elfMachine, PLATFORMS } from './lib/launcher-platforms.mjs'

const root = resolve(import.meta.dirname, '..')
const dir = resolve(process.argv[2] ?? process.cwd())
const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
const platform = name.replace(/^@testcell\/launcher-/, '')
const spec = PLATFORMS[platform]
if (!spec) throw new Error(`${dir}: ${name} is not a launcher package (known: ${Object.keys(PLATFORMS).join(', ')})`)

const built = `build/${platform}/testcell-launcher`
const make = spawnSync('make', ['-s', '-C', join(root, 'native'), built], { stdio: 'inherit' })
if (make.status !== 0) {
  const needs = crossPackages(platform)
  const hint = needs.length > 0 ? `; cross-compiling needs ${spec.crossCompiler} (Debian: apt-get install ${needs.join(' ')})` : ''
  console.error(`${name}: building the launcher failed (make -C native ${built})${hint}`)
  process.exit(1)
}

const target = join(dir, 'testcell-launcher')
copyFileSync(join(root, 'native', built), `${target}.tmp`)
chmodSync(`${target}.tmp`, 0o755)
renameSync(`${target}.tmp`, target)

const header = Buffer.alloc(20)
const fd = openSync(target, 'r')
readSync(fd, header, 0, 20, 0)
closeSync(fd)
if (elfMachine(header) !== spec.elfMachine) {
  console.error(`${name}: ${target} is not an ${spec.file} ELF executable (e_machine ${elfMachine(header)})`)
  process.exit(1)
}
console.log(`${name}: testcell-launcher (${spec.file}, static, 0755)`)
