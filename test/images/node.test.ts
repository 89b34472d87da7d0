// Node inside images: the image's own when it has a suitable one, else the host's injected at /.tc.
import { describe, expect, inject, it } from 'vitest'
import { createContainer } from '../../packages/core/src/images/create-container.js'
import type { ContainerOptions } from '../../packages/core/src/options/container-options.js'
import { useStore } from './lib/helpers.js'
import { hostArch } from './lib/oci.js'

useStore()
const f = inject('fixtures')

async function node(image: string, script: string, options: Partial<ContainerOptions> = {}): Promise<string> {
  const container = await createContainer({ workdir: '/', visiblePaths: [], ...options, image, command: [process.execPath, '-e', script] })
  let out = ''
  container.process.stdout?.on('data', (d: Buffer) => (out += d))
  container.process.stderr?.on('data', (d: Buffer) => (out += d))
  const result = await container.result
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}: ${out}`)
  return out
}

describe('node in images', () => {
  it('node-from-image-preferred', async () => {
    expect(await node(`oci:${f.oci}:node`, 'console.log(process.execPath, process.version)')).toBe(`/opt/n/node ${process.version}\n`)
  })

  it('node-inject-fork-execPath', async () => {
    const script = `
      const { execFileSync, fork } = require('node:child_process')
      const fs = require('node:fs')
      fs.writeFileSync('/tmp/child.js', 'process.send(process.execPath); process.exit(0)')
      const viaSpawn = execFileSync(process.execPath, ['-p', '1 + 1']).toString().trim()
      const child = fork('/tmp/child.js')
      child.on('message', (m) => console.log(process.execPath, viaSpawn, m, execFileSync('sh', ['-c', 'echo busybox sh']).toString().trim()))`
    // busybox has no libc at all: the host's node runs from /.tc with its own loader and libraries.
    expect(await node(`oci:${f.oci}:top`, script)).toBe('/.tc/node 2 /.tc/node busybox sh\n')
  })

  it('node-inject-env-scrubbed', async () => {
    const baseEnv = {
      ...process.env,
      LD_PRELOAD: '/host/libhook.so',
      NODE_OPTIONS: '--require /host/hook.js',
      NODE_EXTRA_CA_CERTS: '/host/ca.pem',
      KEEP_ME: 'yes',
    }
    const out = await node(
      `oci:${f.oci}:top`,
      'console.log(JSON.stringify([process.env.LD_PRELOAD, process.env.NODE_OPTIONS, process.env.NODE_EXTRA_CA_CERTS, process.env.KEEP_ME, process.env.PATH]))',
      {
        baseEnv,
        env: { NODE_OPTIONS: '--no-deprecation' },
      },
    )
    expect(JSON.parse(out)).toEqual([null, '--no-deprecation', null, 'yes', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'])
  })

  it.skipIf(hostArch() === 'arm64')('an image neither with node nor able to run the host one fails at once, saying what it lacks', async () => {
    const error = await node(`oci:${f.oci}:top-arm64`, '1').catch((e: Error) => e)
    expect((error as Error).message).toMatch(
      /needs node for its test worker: it has no node on its PATH, and this host's Node \(amd64\) cannot run in a arm64 image/,
    )
  })
})
