import { ImageError } from '../errors.js'
import { parseChallenge } from './challenge.js'
import { basicAuthorization, type Credentials, credentialsFor, dockerConfigPath } from './credentials.js'
import type { RegistryReference } from './reference.js'
import { TokenCache } from './token-cache.js'
import { registryScheme } from './transport.js'

const MAX_REDIRECTS = 5
const tokens = new TokenCache()

/**
 * Talks to one repository of a registry (distribution spec): answers 401 challenges with the anonymous or
 * authenticated Bearer token flow or Basic auth, reuses tokens until they expire, and follows redirects
 * itself so the Authorization header never travels to another host (blob CDNs).
 */
export class RegistryClient {
  readonly base: string
  private authorization: string | null = null
  private tokenKey: string | null = null
  private readonly credentials: Credentials | null

  constructor(
    readonly reference: RegistryReference,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.base = `${registryScheme(reference.host, env)}://${reference.host}/v2/${reference.repository}`
    this.credentials = credentialsFor(reference.domain, env)
  }

  /** GET `path` (below /v2/NAME/), authenticating as the registry asks; throws on anything but 2xx. */
  async get(path: string, accept: readonly string[], what: string): Promise<Response> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.follow(`${this.base}/${path}`, accept)
      if (response.status !== 401) return this.ok(response, what)
      await response.body?.cancel()
      if (attempt === 2) break
      await this.authenticate(response, attempt > 0)
    }
    throw new ImageError(
      'TESTCELL_IMAGE',
      `${this.reference.canonical}: the registry refused ${this.credentials ? `the credentials for ${this.reference.domain}` : 'anonymous access'} to ${what}` +
        (this.credentials ? '' : `; add credentials for ${this.reference.domain} to ${dockerConfigPath()} (docker login)`),
    )
  }

  private async follow(url: string, accept: readonly string[]): Promise<Response> {
    let target = url
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { accept: accept.join(', '), 'user-agent': 'testcell' }
      // Only the registry's own URL gets credentials; a redirect (a CDN holding the blob) never does.
      if (hop === 0) {
        const authorization = this.currentAuthorization()
        if (authorization) headers.authorization = authorization
      }
      let response: Response
      try {
        response = await fetch(target, { headers, redirect: 'manual' })
      } catch (cause) {
        throw new ImageError('TESTCELL_IMAGE', `${this.reference.canonical}: cannot reach ${new URL(target).origin}: ${describeCause(cause)}`, { cause })
      }
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || !location) return response
      await response.body?.cancel()
      target = new URL(location, target).toString()
    }
    throw new ImageError('TESTCELL_IMAGE', `${this.reference.canonical}: too many redirects from ${url}`)
  }

  private currentAuthorization(): string | null {
    if (this.tokenKey) {
      const token = tokens.get(this.tokenKey)
      return token ? `Bearer ${token}` : null
    }
    return this.authorization
  }

  private async authenticate(response: Response, renew: boolean): Promise<void> {
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    if (challenge?.scheme === 'basic') {
      if (!this.credentials) {
        throw new ImageError(
          'TESTCELL_IMAGE',
          `${this.reference.canonical}: the registry needs a login; add credentials for ${this.reference.domain} to ${dockerConfigPath()} (docker login)`,
        )
      }
      this.authorization = basicAuthorization(this.credentials)
      return
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new ImageError(
        'TESTCELL_IMAGE',
        `${this.reference.canonical}: the registry answered 401 without a usable challenge (${response.headers.get('www-authenticate') ?? 'none'})`,
      )
    }
    const { realm, service } = challenge.params
    const scope = challenge.params.scope ?? `repository:${this.reference.repository}:pull`
    const key = `${realm} ${service ?? ''} ${scope} ${this.credentials?.username ?? ''}`
    this.tokenKey = key
    if (!renew && tokens.get(key)) return
    tokens.forget(key)
    const url = new URL(realm)
    if (service) url.searchParams.set('service', service)
    url.searchParams.set('scope', scope)
    const headers: Record<string, string> = { 'user-agent': 'testcell' }
    if (this.credentials) headers.authorization = basicAuthorization(this.credentials)
    let answer: Response
    try {
      answer = await fetch(url, { headers })
    } catch (cause) {
      throw new ImageError('TESTCELL_IMAGE', `${this.reference.canonical}: cannot reach the token service ${url.origin}: ${describeCause(cause)}`, { cause })
    }
    if (!answer.ok) {
      throw new ImageError('TESTCELL_IMAGE', `${this.reference.canonical}: the token service ${url.origin} answered ${answer.status} for ${scope}`)
    }
    const body = (await answer.json()) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string }
    const token = body.token ?? body.access_token
    if (!token) throw new ImageError('TESTCELL_IMAGE', `${this.reference.canonical}: the token service ${url.origin} returned no token`)
    tokens.set(key, token, body.expires_in, body.issued_at)
  }

  private async ok(response: Response, what: string): Promise<Response> {
    if (response.ok) return response
    const text = await response.text().catch(() => '')
    const hint = response.status === 404 ? ' (not found)' : ''
    throw new ImageError('TESTCELL_IMAGE', `${this.reference.canonical}: ${what}: HTTP ${response.status}${hint} ${text.slice(0, 200)}`.trim())
  }
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } }).cause
  return inner?.code ?? inner?.message ?? (cause as Error).message
}
