// Builds the Debian 13 (trixie) VM image from Debian packages with mmdebstrap: kernel 6.12, systemd 257,
// AppArmor 4.1, docker.io. Cached by content (this file, image/customize.sh, the package list): a fresh
// clone builds it once (about a minute), later runs reuse it.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { buildInitramfs } from './initramfs.mjs'
import { kernelIn, moduleClosure, pvhKernel } from './kernel.mjs'

const here = import.meta.dirname
const customize = resolve(here, '../image/customize.sh')
export const SUITE = 'trixie'
export const MIRROR = 'http://deb.debian.org/debian'
export const PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'dbus-user-session',
  'libpam-systemd',
  'apparmor',
  'docker.io',
  'docker-cli',
  'busybox-static',
  'kmod',
  'procps',
  'iproute2',
  'util-linux',
  'passwd',
  'e2fsprogs',
]
// virtio-blk and ext4 are modules in Debian's kernel: the initramfs loads them, then hands over to systemd.
const BOOT_MODULES = ['crc32c_generic', 'virtio_blk', 'ext4']
const INIT = `#!/bin/sh
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
for m in /modules/*.ko; do insmod "$m" || echo "initramfs: cannot load $m"; done
i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mount -t ext4 -o ro /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; poweroff -f; }
umount /proc
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
`

function cacheKey() {
  const hash = createHash('sha256')
  for (const file of [import.meta.filename, customize, join(here, 'initramfs.mjs'), join(here, 'kernel.mjs')]) hash.update(readFileSync(file))
  hash.update(JSON.stringify({ SUITE, PACKAGES }))
  return hash.digest('hex').slice(0, 16)
}

/** Returns { kernel, initrd, image, release, built, seconds }; builds into `cacheDir` when not cached. */
export function debian13Image(cacheDir) {
  const key = cacheKey()
  const dir = join(cacheDir, `debian13-${key}`)
  const meta = join(dir, 'image.json')
  if (existsSync(meta)) return { ...JSON.parse(readFileSync(meta, 'utf8')), built: false, seconds: 0 }
  mkdirSync(cacheDir, { recursive: true })
  for (const old of readdirSync(cacheDir)) if (old.startsWith('debian13-')) rmSync(join(cacheDir, old), { recursive: true, force: true })
  mkdirSync(dir)
  const started = performance.now()
  const root = join(dir, 'root')
  // The kernel package is unpacked into the tree, not installed: no initramfs-tools run, no /boot hooks.
  const kernelHook =
    'chroot "$1" sh -c \'cd /tmp && apt-get download -q $(apt-cache depends linux-image-amd64 | sed -n "s/.*Depends: \\(linux-image-[^ ]*\\).*/\\1/p" | head -n1)\'' +
    ' && dpkg-deb -x "$1"/tmp/linux-image-*.deb "$1" && rm -f "$1"/tmp/linux-image-*.deb'
  execFileSync(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--mode=root',
      '--format=directory',
      `--include=${PACKAGES.join(',')}`,
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--dpkgopt=path-exclude=/usr/share/locale/*',
      `--customize-hook=${kernelHook}`,
      `--customize-hook=${customize} "$1"`,
      SUITE,
      root,
      MIRROR,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const kernel = kernelIn(root)
  const initrd = buildInitramfs({ out: join(dir, 'initrd.gz'), modules: moduleClosure(kernel.modules, BOOT_MODULES), init: INIT })
  const vmlinuz = join(dir, basename(kernel.image))
  copyFileSync(kernel.image, vmlinuz)
  const boot = pvhKernel(vmlinuz, dir)
  const image = join(dir, 'root.img')
  const sizeMb = Math.ceil(duBytes(root) / 1024 / 1024 + 1024)
  execFileSync('mke2fs', ['-q', '-t', 'ext4', '-d', root, '-L', 'root', '-F', image, `${sizeMb}M`])
  const result = { kernel: boot, initrd, image, release: kernel.release }
  rmSync(root, { recursive: true, force: true })
  writeFileSync(meta, JSON.stringify(result, null, 2))
  return { ...result, built: true, seconds: (performance.now() - started) / 1000 }
}

function duBytes(dir) {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0])
}
