// Pulls from a real registry (docker-registry on loopback), through an htpasswd one and a token-auth front.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { ImageError } from '../../packages/core/src/errors.js'
import { prepareImage } from '../../packages/core/src/images/prepare.js'
import { parseImageReference } from '../../packages/core/src/images/reference.js'
import { inImage, useStore } from './lib/helpers.js'
import { hostArch } from './lib/oci.js'
import type { FrontStats } from './lib/token-front.js'

useStore()
const registry = inject('registry')
const noCredentials = mkdtempSync(join(tmpdir(), 'testcell-nocreds-'))
writeFileSync(join(noCredentials, 'config.json'), '{"auths":{}}')
afterAll(() => rmSync(noCredentials, { recursive: true, force: true }))

async function pull(reference: string, env: NodeJS.ProcessEnv = {}, always = true) {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  try {
    const image = await prepareImage(parseImageReference(reference), { pull: always ? 'always' : 'missing' })
    image.release()
    return image
  } finally {
    process.env = saved
  }
}

async function stats(): Promise<FrontStats> {
  return (await fetch(registry.stats)).json() as Promise<FrontStats>
}

let dockerConfig: string | undefined
beforeEach(() => {
  dockerConfig = process.env.DOCKER_CONFIG
  process.env.DOCKER_CONFIG = registry.dockerConfig
})
afterEach(() => {
  if (dockerConfig === undefined) delete process.env.DOCKER_CONFIG
  else process.env.DOCKER_CONFIG = dockerConfig
})

describe('registry pulls', () => {
  it('pulls gzip layers and runs the image', async () => {
    const image = await pull(`${registry.plain}/testcell/busybox:top`)
    expect(image.record.manifestDigest).toMatch(/^sha256:/)
    expect((await inImage(`${registry.plain}/testcell/busybox:top`, 'cat /etc/added')).stdout).toBe('added in top\n')
  })

  it('zstd layers', async () => {
    const image = await pull(`${registry.plain}/testcell/busybox:zstd`)
    expect(image.record.layers).toHaveLength(2)
  })

  it('registry-accept-header', async () => {
    // distribution 2.8 answers 404 for an OCI index unless the request accepts it.
    const bare = await fetch(`http://${registry.plain}/v2/testcell/busybox/manifests/multi`)
    expect(bare.status).toBe(404)
    const image = await pull(`${registry.plain}/testcell/busybox:multi`)
    expect(image.record.platform.architecture).toBe(hostArch())
  })

  it('bearer-401-flow', async () => {
    const before = await stats()
    const image = await pull(`${registry.token}/testcell/busybox:top`, { DOCKER_CONFIG: noCredentials })
    expect(image.record.layers).toHaveLength(2)
    expect((await stats()).anonymousTokens).toBeGreaterThan(before.anonymousTokens)
  })

  it('bearer with credentials from the docker config', async () => {
    const before = await stats()
    await pull(`${registry.token}/testcell/busybox:top`)
    const after = await stats()
    expect(after.tokensIssued - after.anonymousTokens).toBeGreaterThan(before.tokensIssued - before.anonymousTokens)
  })

  it('basic-auth', async () => {
    const image = await pull(`${registry.basic}/testcell/busybox:top`)
    expect(image.record.layers).toHaveLength(2)
    const refused = await pull(`${registry.basic}/testcell/busybox:top`, { DOCKER_CONFIG: noCredentials }).catch((e: Error) => e)
    expect(refused).toBeInstanceOf(ImageError)
    expect((refused as Error).message).toMatch(new RegExp(`needs a login; add credentials for ${registry.basic.replace('.', '\\.')} to .*config.json`))
  })

  it('redirect-drops-authorization', async () => {
    const before = await stats()
    await pull(`${registry.token}/testcell/base:latest`)
    const after = await stats()
    expect(after.cdnRequests).toBeGreaterThan(before.cdnRequests)
    expect(after.cdnWithAuthorization).toBe(0)
  })

  it('token-expiry-60s', async () => {
    // Without expires_in a token is good for 60 s: a second pull right away asks for no new token.
    await fetch(`${registry.stats.replace('_stats', '_config')}?expiresIn=`)
    await pull(`${registry.token}/testcell/busybox:top`, { DOCKER_CONFIG: noCredentials })
    const first = await stats()
    await pull(`${registry.token}/testcell/busybox:top`, { DOCKER_CONFIG: noCredentials })
    expect((await stats()).tokensIssued).toBe(first.tokensIssued)
    // With expires_in 3, a pull 3.5 s later needs a new one (and gets it without an error).
    await fetch(`${registry.stats.replace('_stats', '_config')}?expiresIn=3`)
    await pull(`${registry.token}/testcell/expiry:latest`, { DOCKER_CONFIG: noCredentials })
    const second = await stats()
    await new Promise((r) => setTimeout(r, 3500))
    await pull(`${registry.token}/testcell/expiry:latest`, { DOCKER_CONFIG: noCredentials })
    expect((await stats()).tokensIssued).toBeGreaterThan(second.tokensIssued)
    await fetch(`${registry.stats.replace('_stats', '_config')}?expiresIn=`)
  })

  it('a registry image in the store is used without the network', async () => {
    await pull(`${registry.plain}/testcell/base:latest`)
    const again = await pull('127.0.0.1:1/testcell/never-there:latest').catch((e: Error) => e)
    expect((again as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1/)
    const cached = await pull(`${registry.plain}/testcell/base:latest`, { TESTCELL_INSECURE_REGISTRIES: '' }, false)
    expect([cached.extractedLayers, cached.extractedBytes]).toEqual([0, 0])
  })

  it('non-loopback registries are reached over HTTPS unless named insecure', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address
    if (!address) return
    const port = registry.plain.split(':')[1]
    const secure = await pull(`${address}:${port}/testcell/busybox:top`).catch((e: Error) => e)
    expect((secure as Error).message).toContain(`cannot reach https://${address}:${port}`)
    const insecure = await pull(`${address}:${port}/testcell/busybox:top`, { TESTCELL_INSECURE_REGISTRIES: `${address}:${port}` }).catch((e: Error) => e)
    expect((insecure as Error).message).toContain(`cannot reach http://${address}:${port}`)
  })
})
