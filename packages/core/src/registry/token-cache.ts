/** A registry token and when it stops being good. */
interface Token {
  value: string
  expiresAt: number
}

/** Tokens live `expires_in` seconds, 60 when the issuer does not say (the token spec's default). */
export const DEFAULT_TOKEN_SECONDS = 60
/** Renew a little early so a token does not expire on the way. */
const MARGIN_MS = 2000

/** Bearer tokens by realm, service and scope, reused until they expire. */
export class TokenCache {
  private readonly tokens = new Map<string, Token>()

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | null {
    const token = this.tokens.get(key)
    if (!token) return null
    if (this.now() >= token.expiresAt) {
      this.tokens.delete(key)
      return null
    }
    return token.value
  }

  set(key: string, value: string, expiresIn: unknown, issuedAt: unknown = undefined): void {
    const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_SECONDS
    const issued = typeof issuedAt === 'string' && !Number.isNaN(Date.parse(issuedAt)) ? Math.min(Date.parse(issuedAt), this.now()) : this.now()
    this.tokens.set(key, { value, expiresAt: issued + seconds * 1000 - MARGIN_MS })
  }

  forget(key: string): void {
    this.tokens.delete(key)
  }
}
