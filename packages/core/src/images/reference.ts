import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { OptionError } from '../errors.js'
import { parseRegistryReference, type RegistryReference } from '../registry/reference.js'

/** Where an image comes from, with skopeo's transport names. */
export type ImageReference =
  | { transport: 'oci'; path: string; ref: string | null; text: string }
  | { transport: 'oci-archive'; path: string; ref: string | null; text: string }
  | { transport: 'docker-archive'; path: string; ref: string | null; text: string }
  | { transport: 'rootfs'; path: string; text: string }
  | { transport: 'registry'; registry: RegistryReference; text: string }

export const IMAGE_FORMS =
  'oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF], rootfs:FILE (.tar, .tar.gz, .tar.zst) or a registry reference NAME[:TAG|@DIGEST]'

/** Parses and checks an `image` option; a local file or directory must exist. Throws an OptionError naming it. */
export function parseImageReference(value: unknown, cwd = process.cwd(), option = 'image'): ImageReference {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) throw new OptionError(option, value, IMAGE_FORMS)
  const colon = value.indexOf(':')
  const transport = colon > 0 ? value.slice(0, colon) : ''
  const rest = value.slice(colon + 1)
  switch (transport) {
    case 'oci':
    case 'oci-archive':
    case 'docker-archive': {
      // As skopeo: the path ends at the first ':' (paths with ':' cannot be named this way).
      const split = rest.indexOf(':')
      const path = resolve(cwd, split >= 0 ? rest.slice(0, split) : rest)
      const ref = split >= 0 ? rest.slice(split + 1) || null : null
      checkPath(option, value, path, transport === 'oci' ? 'directory' : 'file')
      const text = `${transport}:${path}${ref ? `:${ref}` : ''}`
      return { transport, path, ref, text }
    }
    case 'rootfs': {
      const path = resolve(cwd, rest)
      checkPath(option, value, path, 'file')
      return { transport, path, text: `rootfs:${path}` }
    }
    default: {
      if (transport === 'docker' && rest.startsWith('//')) return parseImageReference(rest.slice(2), cwd, option)
      const parsed = parseRegistryReference(value)
      if (typeof parsed === 'string') throw new OptionError(option, value, `${IMAGE_FORMS}: ${parsed}`)
      return { transport: 'registry', registry: parsed, text: parsed.canonical }
    }
  }
}

function checkPath(option: string, value: string, path: string, kind: 'file' | 'directory'): void {
  if (!existsSync(path)) throw new OptionError(option, value, `an existing ${kind}: ${path} does not exist`)
  const isDir = statSync(path).isDirectory()
  if (isDir !== (kind === 'directory'))
    throw new OptionError(option, value, `${kind === 'file' ? 'a file' : 'a directory'}: ${path} is ${isDir ? 'a directory' : 'a file'}`)
}
