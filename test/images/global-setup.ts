import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { ensureDebianPackages } from '../../scripts/lib/debian.mjs'
import { buildFixtures, type Fixtures } from './lib/fixtures.js'
import { startTokenFront, type TokenFront } from './lib/token-front.js'
import { freePort, run, startRegistry } from './lib/tools.js'

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: Fixtures
    registry: { plain: string; basic: string; token: string; cdn: string; stats: string; dockerConfig: string }
  }
}

export const PACKAGES = ['busybox-static', 'umoci', 'skopeo', 'docker-registry', 'apache2-utils', 'zstd']

/** Builds the fixtures and starts, on loopback, a plain registry, an htpasswd one and a token-auth front. */
export default async function setup(project: TestProject) {
  const missing = ensureDebianPackages(PACKAGES)
  if (missing) throw new Error(`the images tests ${missing}`)
  const dir = mkdtempSync(join(tmpdir(), 'testcell-images-'))
  chmodSync(dir, 0o755)
  const fixtures = buildFixtures(join(dir, 'fixtures'))

  const plainPort = await freePort()
  const basicPort = await freePort()
  writeFileSync(join(dir, 'plain.yml'), registryConfig(join(dir, 'plain-data'), plainPort))
  writeFileSync(join(dir, 'htpasswd'), run('htpasswd', ['-Bbn', 'tester', 's3cret']))
  writeFileSync(
    join(dir, 'basic.yml'),
    `${registryConfig(join(dir, 'basic-data'), basicPort)}auth:\n  htpasswd:\n    realm: testcell\n    path: ${join(dir, 'htpasswd')}\n`,
  )
  const plain = await startRegistry(join(dir, 'plain.yml'), plainPort)
  const basic = await startRegistry(join(dir, 'basic.yml'), basicPort)
  const push = (source: string, dest: string, extra: string[] = []) =>
    run('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...extra, source, `docker://${dest}`])
  const oci = fixtures.oci
  push(`oci:${oci}:top`, `127.0.0.1:${plainPort}/testcell/busybox:top`)
  push(`oci:${oci}:multi`, `127.0.0.1:${plainPort}/testcell/busybox:multi`, ['--all'])
  push(`oci:${oci}:top`, `127.0.0.1:${plainPort}/testcell/busybox:zstd`, ['--dest-compress', '--dest-compress-format', 'zstd'])
  push(`oci:${oci}:base`, `127.0.0.1:${plainPort}/testcell/base:latest`)
  push(`oci:${oci}:base`, `127.0.0.1:${plainPort}/testcell/expiry:latest`)
  push(`oci:${oci}:top`, `127.0.0.1:${basicPort}/testcell/busybox:top`, ['--dest-creds', 'tester:s3cret'])
  const front: TokenFront = await startTokenFront(`http://127.0.0.1:${plainPort}`)

  const dockerConfig = join(dir, 'docker-config')
  run('mkdir', ['-p', dockerConfig])
  const auth = Buffer.from('tester:s3cret').toString('base64')
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [`127.0.0.1:${basicPort}`]: { auth }, [`localhost:${front.port}`]: { auth } } }))
  chmodSync(dockerConfig, 0o755)
  chmodSync(join(dockerConfig, 'config.json'), 0o644)

  project.provide('fixtures', fixtures)
  project.provide('registry', {
    plain: `127.0.0.1:${plainPort}`,
    basic: `127.0.0.1:${basicPort}`,
    token: `localhost:${front.port}`,
    cdn: front.cdn,
    stats: `http://127.0.0.1:${front.port}/_stats`,
    dockerConfig,
  })
  return async () => {
    await front.close()
    plain.stop()
    basic.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

function registryConfig(root: string, port: number): string {
  return `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`
}
