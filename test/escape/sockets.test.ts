import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempProject } from '../integration/helpers.js'
import { inside, outside } from './probe.js'

async function listening(address: string): Promise<Server & AsyncDisposable> {
  const server = createServer((socket) => socket.on('error', () => {}).end('host secret'))
  await new Promise<void>((resolve) => server.listen(address, resolve))
  return Object.assign(server, { [Symbol.asyncDispose]: () => new Promise<void>((r) => server.close(() => r())) })
}

describe('escapes through sockets', () => {
  it('a host unix socket, by path (visible in the copy-on-write root)', async () => {
    using project = tempProject()
    const path = join(project.dir, 'host.sock')
    await using _server = await listening(path)
    expect(outside(['unix', path]).blocked).toBe(false)
    expect(await inside(['unix', path], { visiblePaths: [project.dir], workdir: '/' })).toMatchObject({ blocked: true, detail: 'ECONNREFUSED' })
  })

  it('a host unix socket, abstract', async () => {
    const name = `testcell-escape-${process.pid}`
    await using _server = await listening(`\0${name}`)
    expect(outside(['abstract', name]).blocked).toBe(false)
    expect(await inside(['abstract', name])).toMatchObject({ blocked: true, detail: 'ECONNREFUSED' })
  })
})
