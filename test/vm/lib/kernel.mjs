// Debian kernels for the VM tiers: download (unpacked, never installed), module lists, and the
// uncompressed vmlinux that QEMU can enter directly (PVH), which saves seconds of decompression under TCG.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

/** Downloads this host's Debian `linux-image-amd64` kernel package and unpacks it into `dir`. */
export function downloadHostKernel(dir) {
  if (!existsSync(join(dir, 'boot'))) {
    const depends = () => spawnSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' }).stdout ?? ''
    let pkg = /Depends: (linux-image-\S+)/.exec(depends())?.[1]
    if (!pkg) {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
      pkg = /Depends: (linux-image-\S+)/.exec(depends())?.[1]
    }
    if (!pkg) throw new Error('cannot resolve linux-image-amd64 with apt-cache')
    const debs = join(dir, 'deb')
    mkdirSync(debs, { recursive: true, mode: 0o777 })
    chmodSync(debs, 0o777) // apt-get download drops to the _apt user
    execFileSync('apt-get', ['download', '-qq', pkg], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] })
    const deb = readdirSync(debs).find((f) => f.endsWith('.deb'))
    execFileSync('dpkg-deb', ['-x', join(debs, deb), dir])
    rmSync(debs, { recursive: true, force: true })
  }
  return kernelIn(dir)
}

/**
 * Downloads Debian `suite`'s amd64 kernel package (e.g. trixie's 6.12) with apt state of its own in `dir`, so
 * the host's apt configuration is left alone, and unpacks it into `dir`.
 */
export function downloadSuiteKernel(dir, suite, mirror = 'http://deb.debian.org/debian') {
  if (!existsSync(join(dir, 'boot'))) {
    const state = join(dir, 'apt')
    for (const sub of ['lists/partial', 'cache/archives/partial', 'etc']) mkdirSync(join(state, sub), { recursive: true })
    writeFileSync(join(state, 'status'), '')
    writeFileSync(join(state, 'etc/sources.list'), `deb ${mirror} ${suite} main\n`)
    const options = {
      'Dir::State': state,
      'Dir::State::Lists': join(state, 'lists'),
      'Dir::State::status': join(state, 'status'),
      'Dir::Cache': join(state, 'cache'),
      'Dir::Etc::sourcelist': join(state, 'etc/sources.list'),
      'Dir::Etc::sourceparts': '-',
      'Debug::NoLocking': '1',
      'APT::Sandbox::User': 'root',
    }
    const apt = (tool, args, cwd) =>
      execFileSync(tool, [...Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]), ...args], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    apt('apt-get', ['-qq', 'update'])
    const pkg = /Depends: (linux-image-\S+)/.exec(apt('apt-cache', ['depends', 'linux-image-amd64']))?.[1]
    if (!pkg) throw new Error(`cannot resolve ${suite}'s linux-image-amd64 with apt-cache`)
    const debs = join(dir, 'deb')
    mkdirSync(debs, { recursive: true })
    apt('apt-get', ['-qq', 'download', pkg], debs)
    const deb = readdirSync(debs).find((f) => f.endsWith('.deb'))
    execFileSync('dpkg-deb', ['-x', join(debs, deb), dir])
    rmSync(debs, { recursive: true, force: true })
    rmSync(state, { recursive: true, force: true })
  }
  return kernelIn(dir)
}

/** The kernel image, release and modules directory of an unpacked kernel package or a root filesystem. */
export function kernelIn(root) {
  const image = readdirSync(join(root, 'boot')).find((f) => f.startsWith('vmlinuz-'))
  if (!image) throw new Error(`no vmlinuz in ${root}/boot`)
  const release = image.slice('vmlinuz-'.length)
  const modules = [join(root, 'usr/lib/modules', release), join(root, 'lib/modules', release)].find((d) => existsSync(d))
  if (!modules) throw new Error(`no modules for ${release} in ${root}`)
  if (!existsSync(join(modules, 'modules.dep'))) depmod(modules.slice(0, modules.indexOf('/lib/modules/')) || '/', release)
  return { image: join(root, 'boot', image), release, modules }
}

function depmod(base, release) {
  const found = ['/usr/sbin/depmod', '/sbin/depmod'].find((p) => existsSync(p))
  const [cmd, ...pre] = found ? [found] : ['/bin/busybox', 'depmod']
  execFileSync(cmd, [...pre, '-b', base, release])
}

/** Module files for `names` and everything they depend on, dependencies first (from modules.dep). */
export function moduleClosure(modulesDir, names) {
  const deps = new Map()
  for (const line of readFileSync(join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const [file, rest] = line.split(':')
    if (file) deps.set(basename(file).replace(/\.ko(\.\w+)?$/, ''), { file, deps: (rest ?? '').trim().split(/\s+/).filter(Boolean) })
  }
  const ordered = []
  const visit = (name) => {
    const entry = deps.get(name) ?? deps.get(name.replaceAll('_', '-')) ?? deps.get(name.replaceAll('-', '_'))
    if (!entry) throw new Error(`kernel module ${name} is not in ${modulesDir}/modules.dep (built in?)`)
    for (const dep of entry.deps) visit(basename(dep).replace(/\.ko(\.\w+)?$/, ''))
    if (!ordered.includes(entry.file)) ordered.push(entry.file)
  }
  for (const name of names) visit(name)
  return ordered.map((file) => join(modulesDir, file))
}

/** The decompression command for a (possibly compressed) module file. */
export function decompressor(file) {
  if (file.endsWith('.xz')) return ['xz', '-dc', file]
  if (file.endsWith('.zst')) return ['zstd', '-qdc', file]
  if (file.endsWith('.gz')) return ['gzip', '-dc', file]
  return ['cat', file]
}

/**
 * Extracts the ELF vmlinux from a bzImage (Debian kernels have CONFIG_PVH, so QEMU can enter it directly),
 * caching it in `cacheDir`. Returns the bzImage itself when no vmlinux can be found.
 */
export function pvhKernel(image, cacheDir) {
  const out = join(cacheDir, `vmlinux-${basename(image).replace(/^vmlinuz-/, '')}`)
  if (existsSync(out)) return out
  const data = readFileSync(image)
  const magics = [
    { bytes: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), cmd: ['zstd', '-dcq'] },
    { bytes: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), cmd: ['xz', '-dc', '--single-stream'] },
    { bytes: Buffer.from([0x1f, 0x8b, 0x08]), cmd: ['gzip', '-dc'] },
  ]
  for (const { bytes, cmd } of magics) {
    let at = data.indexOf(bytes)
    for (let tries = 0; at >= 0 && tries < 3; tries++, at = data.indexOf(bytes, at + 1)) {
      const result = spawnSync(cmd[0], cmd.slice(1), { input: data.subarray(at), maxBuffer: 512 * 1024 * 1024 })
      const elf = result.stdout
      if (elf && elf.length > 4 && elf.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
        const temp = `${out}.tmp`
        writeFileSync(temp, elf)
        if (hasPvhNote(temp)) {
          renameSync(temp, out)
          return out
        }
        rmSync(temp, { force: true })
      }
    }
  }
  return image
}

function hasPvhNote(file) {
  const notes = spawnSync('readelf', ['-n', file], { encoding: 'utf8' }).stdout ?? ''
  if (/PHYS32_ENTRY|Unknown note type: \(0x00000012\)/.test(notes)) return true
  // Without readelf, trust the ELF magic read back from the file.
  if (notes !== '') return false
  const fd = openSync(file, 'r')
  const head = Buffer.alloc(4)
  readSync(fd, head, 0, 4, 0)
  closeSync(fd)
  return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
}
