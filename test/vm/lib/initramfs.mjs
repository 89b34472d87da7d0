// A small initramfs: busybox, chosen kernel modules (uncompressed, so busybox insmod loads them), files
// from the host (dynamic ELF files with their libraries) and an /init script.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { decompressor } from './kernel.mjs'

/**
 * Builds `out` (gzip'd newc cpio, owned by root) from: `modules` (module files, loaded in this order by
 * /init from /modules), `files` ([hostPath, guestPath], directories copied whole), `links` ([linkText, guestPath])
 * and the `init` script.
 */
export function buildInitramfs({ out, modules = [], files = [], links = [], init }) {
  const tree = mkdtempSync(join(dirname(out), 'initramfs-'))
  try {
    chmodSync(tree, 0o755) // the VM's / (mkdtemp made it 0700)
    for (const dir of ['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'modules', 'newroot']) mkdirSync(join(tree, dir))
    chmodSync(join(tree, 'tmp'), 0o1777)
    copyFileSync('/bin/busybox', join(tree, 'bin/busybox'))
    chmodSync(join(tree, 'bin/busybox'), 0o755)
    const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)
    for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(tree, 'bin', applet))
    modules.forEach((file, i) => {
      const [cmd, ...args] = decompressor(file)
      const name = basename(file).replace(/\.ko(\.\w+)?$/, '')
      writeFileSync(join(tree, 'modules', `${String(i).padStart(2, '0')}-${name}.ko`), execFileSync(cmd, args, { maxBuffer: 64 * 1024 * 1024 }))
    })
    for (const [from, to] of files) copyIn(tree, from, to)
    for (const [text, at] of links) {
      mkdirSync(join(tree, dirname(at)), { recursive: true })
      symlinkSync(text, join(tree, at))
    }
    writeFileSync(join(tree, 'init'), init, { mode: 0o755 })
    const cpio = spawnSync(
      'sh',
      ['-c', `cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet | gzip -1 > "$2"`, 'sh', tree, out],
      {
        stdio: 'inherit',
      },
    )
    if (cpio.status !== 0) throw new Error(`cpio of ${tree} failed`)
  } finally {
    rmSync(tree, { recursive: true, force: true })
  }
  return out
}

/** Copies a host file or directory into the tree; a dynamic ELF file brings its libraries and loader. */
export function copyIn(tree, from, to) {
  mkdirSync(join(tree, dirname(to)), { recursive: true })
  if (statSync(from).isDirectory()) {
    cpSync(from, join(tree, to), { recursive: true, dereference: false, verbatimSymlinks: true })
    return
  }
  copyFileSync(from, join(tree, to))
  chmodSync(join(tree, to), statSync(from).mode & 0o7777)
  for (const lib of sharedLibraries(from)) {
    if (existsSync(join(tree, lib))) continue
    mkdirSync(join(tree, dirname(lib)), { recursive: true })
    copyFileSync(lib, join(tree, lib))
  }
}

/** The shared libraries (and loader) `ldd` lists for a file; none for static files and scripts. */
export function sharedLibraries(file) {
  const ldd = spawnSync('ldd', [file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })
  if (ldd.status !== 0) return []
  return ldd.stdout
    .split('\n')
    .map((line) => /=> (\/\S+)/.exec(line)?.[1] ?? /^\s+(\/\S+)/.exec(line)?.[1])
    .filter(Boolean)
}
