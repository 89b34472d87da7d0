/** A registry image reference, normalized as Docker does (Docker Hub by default, `library/` for one-word names). */
export interface RegistryReference {
  /** Host[:port] to talk to (`registry-1.docker.io` for Docker Hub). */
  host: string
  /** The registry as written in references and credentials (`docker.io` for Docker Hub). */
  domain: string
  repository: string
  tag: string | null
  digest: string | null
  /** `domain/repository[:tag][@digest]`. */
  canonical: string
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/

export const DOCKER_HUB = 'docker.io'

/** Parses `[HOST[:PORT]/]NAME[:TAG][@DIGEST]`; returns the reason instead of throwing. */
export function parseRegistryReference(text: string): RegistryReference | string {
  let rest = text
  let digest: string | null = null
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) return `"${digest}" is not a digest (algorithm:hex)`
  }
  const slash = rest.indexOf('/')
  const first = slash >= 0 ? rest.slice(0, slash) : ''
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  let domain = hasDomain ? first : DOCKER_HUB
  let path = hasDomain ? rest.slice(slash + 1) : rest
  let tag: string | null = null
  const colon = path.lastIndexOf(':')
  if (colon >= 0) {
    tag = path.slice(colon + 1)
    path = path.slice(0, colon)
    if (!TAG.test(tag)) return `"${tag}" is not a tag (letters, digits, "_", "." and "-", at most 128)`
  }
  if (hasDomain && !DOMAIN.test(domain)) return `"${domain}" is not a registry host[:port]`
  if (domain === 'index.docker.io') domain = DOCKER_HUB
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`
  if (path === '' || !path.split('/').every((c) => COMPONENT.test(c))) {
    return `"${path}" is not a repository name (lowercase letters, digits and separators, "/" between components)`
  }
  if (tag === null && digest === null) tag = 'latest'
  const host = domain === DOCKER_HUB ? 'registry-1.docker.io' : domain
  const canonical = `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`
  return { host, domain, repository: path, tag, digest, canonical }
}
