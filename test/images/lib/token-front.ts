// A small token-auth front for a real registry (docker-registry has no token issuer of its own): /v2/
// answers 401 with a Bearer challenge until a token from /token is presented, then proxies to the
// registry; blobs are redirected to a second origin (a "CDN") that refuses requests carrying credentials.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

export interface TokenFront {
  port: number
  cdn: string
  close(): Promise<void>
}

export interface FrontStats {
  tokensIssued: number
  anonymousTokens: number
  cdnRequests: number
  cdnWithAuthorization: number
  expiresIn: number | null
}

const CREDENTIALS = `Basic ${Buffer.from('tester:s3cret').toString('base64')}`

export async function startTokenFront(upstream: string): Promise<TokenFront> {
  const tokens = new Map<string, number>()
  const stats: FrontStats = { tokensIssued: 0, anonymousTokens: 0, cdnRequests: 0, cdnWithAuthorization: 0, expiresIn: null }
  const cdn = await listen(async (req, res) => {
    stats.cdnRequests++
    if (req.headers.authorization) {
      stats.cdnWithAuthorization++
      return send(res, 400, 'credentials must not reach the CDN')
    }
    await proxy(`${upstream}/v2${req.url}`, req, res)
  })
  const cdnOrigin = `http://127.0.0.1:${port(cdn)}`
  const front = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://front')
    if (url.pathname === '/_stats') return send(res, 200, JSON.stringify(stats))
    if (url.pathname === '/_config') {
      const expiresIn = url.searchParams.get('expiresIn')
      stats.expiresIn = expiresIn === null || expiresIn === '' ? null : Number(expiresIn)
      return send(res, 200, '{}')
    }
    if (url.pathname === '/token') {
      const auth = req.headers.authorization
      if (auth && auth !== CREDENTIALS) return send(res, 401, 'bad credentials')
      const token = randomBytes(12).toString('hex')
      const seconds = stats.expiresIn ?? 60
      tokens.set(token, Date.now() + seconds * 1000)
      stats.tokensIssued++
      if (!auth) stats.anonymousTokens++
      return send(res, 200, JSON.stringify(stats.expiresIn === null ? { token } : { access_token: token, expires_in: seconds }))
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const valid = bearer !== undefined && (tokens.get(bearer) ?? 0) > Date.now()
    const name = /^\/v2\/(.+?)\/(manifests|blobs)\//.exec(url.pathname)?.[1]
    if (!valid) {
      res.setHeader(
        'www-authenticate',
        `Bearer realm="http://127.0.0.1:${port(front)}/token",service="testcell-front"${name ? `,scope="repository:${name}:pull"` : ''}`,
      )
      return send(res, 401, '{"errors":[{"code":"UNAUTHORIZED"}]}')
    }
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname)
    if (blob) {
      res.writeHead(307, { location: `${cdnOrigin}/${blob[1]}/blobs/${blob[2]}?signed=1` })
      res.end()
      return
    }
    await proxy(`${upstream}${url.pathname}`, req, res)
  })
  return {
    port: port(front),
    cdn: cdnOrigin,
    close: async () => {
      await Promise.all([front, cdn].map((s) => new Promise((r) => s.close(r))))
    },
  }
}

async function proxy(url: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = new URL(url)
  target.search = ''
  const answer = await fetch(target, { headers: req.headers.accept ? { accept: req.headers.accept } : {} })
  const headers: Record<string, string> = {}
  for (const key of ['content-type', 'docker-content-digest', 'content-length']) {
    const value = answer.headers.get(key)
    if (value) headers[key] = value
  }
  res.writeHead(answer.status, headers)
  if (answer.body) Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream).pipe(res)
  else res.end()
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body)
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): Promise<Server> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: Error) => send(res, 500, error.message))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function port(server: Server): number {
  return (server.address() as { port: number }).port
}
