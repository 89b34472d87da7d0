// A package registry on 127.0.0.1 for the packed packages: it keeps what `npm publish` sends it and passes
// every other request through to the registry npm is configured with. The e2e projects install from it the
// way users will install from the public registry once testcell is published (`npm install -D
// vitest-environment-container vitest`), so npm and pnpm pick the platform package by its os/cpu fields
// themselves, as they do for any registry package (pnpm ignores os/cpu for file: tarballs).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'

/** Starts the registry; `close()` stops it. */
export async function startRegistry({ upstream = npmRegistry() } = {}) {
  /** name -> { versions: { [version]: manifest }, tarballs: Map<file, Buffer> } */
  const packages = new Map()
  let url

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: String(error) }))
    })
  })

  async function handle(req, res) {
    const path = decodeURIComponent(new URL(req.url, 'http://registry').pathname).slice(1)
    const tarball = /^(.+)\/-\/([^/]+\.tgz)$/.exec(path)
    if (req.method === 'PUT') return publish(path, JSON.parse(await body(req)), res)
    if (tarball && packages.has(tarball[1])) {
      const data = packages.get(tarball[1]).tarballs.get(tarball[2])
      res.writeHead(data ? 200 : 404, { 'content-type': 'application/octet-stream' })
      return res.end(data)
    }
    if (packages.has(path)) return json(res, 200, packument(path))
    // Anything else (vitest and its dependencies): the upstream registry's answer, whose tarball URLs point there.
    const answer = await fetch(new URL(req.url.slice(1), upstream), { headers: { accept: req.headers.accept ?? 'application/json' } })
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
    res.end(Buffer.from(await answer.arrayBuffer()))
  }

  function publish(name, doc, res) {
    const entry = packages.get(name) ?? { versions: {}, tarballs: new Map() }
    const attachments = Object.entries(doc._attachments ?? {})
    for (const [version, manifest] of Object.entries(doc.versions ?? {})) {
      const attachment = attachments.find(([key]) => key.endsWith(`-${version}.tgz`))?.[1]
      if (!attachment) return json(res, 400, { error: `no tarball for ${name}@${version}` })
      const data = Buffer.from(attachment.data, 'base64')
      const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`
      entry.tarballs.set(file, data)
      manifest.dist = {
        ...manifest.dist,
        tarball: `${url}${name}/-/${file}`,
        shasum: createHash('sha1').update(data).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
      }
      entry.versions[version] = manifest
    }
    packages.set(name, entry)
    return json(res, 201, { ok: true })
  }

  function packument(name) {
    const { versions } = packages.get(name)
    const latest = Object.keys(versions).at(-1)
    return { name, 'dist-tags': { latest }, versions }
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${server.address().port}/`
  return {
    url,
    /** npm/pnpm arguments that point at this registry (the token only satisfies npm's "need auth" check). */
    args: [`--registry=${url}`, `--//127.0.0.1:${server.address().port}/:_authToken=testcell-e2e`],
    published: () => [...packages.keys()],
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

function npmRegistry() {
  return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/?$/, '/')
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

async function body(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}
