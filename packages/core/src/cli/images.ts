import { ImageError, OptionError } from '../errors.js'
import { prepareImage } from '../images/prepare.js'
import { parseImageReference } from '../images/reference.js'
import { formatAmount } from '../options/size.js'
import { allMeta, prune } from '../store/prune.js'
import { listRecords, removeRecord } from '../store/records.js'
import { ImageStore } from '../store/store.js'

export const IMAGES_USAGE = `usage: testcell images <command>
  pull REF [--insecure-registry HOST[:PORT]]   fetch an image (or re-read a local one) into the layer store
  ls                                           images in the store, with their layers and sizes
  rm REF...                                    forget images, then remove the layers no other image uses
  prune [--all]                                remove layers no image uses (--all: forget every image first);
                                               layers of running containers are always kept
The store: $TESTCELL_IMAGE_STORE, /var/cache/testcell for root, else $XDG_CACHE_HOME/testcell.`

/** `testcell images`: exit 0, 1 when something failed, 2 for bad usage. */
export async function images(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'pull':
      return pull(rest)
    case 'ls':
      return list()
    case 'rm':
      return remove(rest)
    case 'prune':
      return runPrune(rest)
    case '--help':
    case undefined:
      ;(command ? process.stdout : process.stderr).write(`${IMAGES_USAGE}\n`)
      return command ? 0 : 2
    default:
      throw new OptionError('images command', command, `pull, ls, rm or prune\n${IMAGES_USAGE}`)
  }
}

async function pull(args: readonly string[]): Promise<number> {
  const refs: string[] = []
  const insecure: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--insecure-registry') insecure.push(args[++i] ?? '')
    else refs.push(args[i]!)
  }
  if (refs.length !== 1) throw new OptionError('images pull', refs.join(' ') || undefined, `one image reference\n${IMAGES_USAGE}`)
  if (insecure.length) process.env.TESTCELL_INSECURE_REGISTRIES = [process.env.TESTCELL_INSECURE_REGISTRIES, ...insecure].filter(Boolean).join(',')
  const reference = parseImageReference(refs[0], process.cwd(), 'images pull')
  const image = await prepareImage(reference, { pull: 'always' })
  image.release()
  const { record } = image
  process.stdout.write(
    `${record.reference}: ${record.layers.length} layers, ${image.extractedLayers} extracted (${formatAmount(image.extractedBytes)})` +
      `${record.manifestDigest ? `, ${record.manifestDigest}` : ''}\n`,
  )
  return 0
}

function list(): number {
  const store = ImageStore.open()
  const bytes = new Map(allMeta(store).map((m) => [m.chainId, m.bytes]))
  for (const record of listRecords(store)) {
    const size = record.layers.reduce((n, l) => n + (bytes.get(l.chainId) ?? 0), 0)
    const platform = [record.platform.os, record.platform.architecture, record.platform.variant].filter(Boolean).join('/')
    process.stdout.write(`${record.reference}  ${platform}  ${record.layers.length} layers  ${formatAmount(size)}\n`)
  }
  return 0
}

function remove(args: readonly string[]): number {
  if (args.length === 0) throw new OptionError('images rm', undefined, `one or more image references\n${IMAGES_USAGE}`)
  const store = ImageStore.open()
  let failed = 0
  for (const arg of args) {
    const known = listRecords(store).find((r) => r.reference === arg) ?? listRecords(store).find((r) => r.reference === canonical(arg))
    if (known && removeRecord(store, known.reference)) process.stdout.write(`removed ${known.reference}\n`)
    else {
      process.stderr.write(`testcell: no image ${arg} in ${store.root}\n`)
      failed++
    }
  }
  report(prune(store))
  return failed === 0 ? 0 : 1
}

function runPrune(args: readonly string[]): number {
  const unknown = args.filter((a) => a !== '--all')
  if (unknown.length) throw new OptionError('images prune', unknown.join(' '), `--all or nothing\n${IMAGES_USAGE}`)
  report(prune(ImageStore.open(), { all: args.includes('--all') }))
  return 0
}

function report(result: ReturnType<typeof prune>): void {
  const freed = result.removedLayers.reduce((n, m) => n + m.bytes, 0)
  process.stdout.write(`${result.removedLayers.length} layers removed (${formatAmount(freed)}), ${result.inUse} in use by running containers\n`)
}

function canonical(text: string): string {
  try {
    return parseImageReference(text).text
  } catch (error) {
    if (error instanceof OptionError || error instanceof ImageError) return text
    throw error
  }
}
