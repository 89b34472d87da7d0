// Runs the Debian tools the fixtures are made with (umoci, skopeo, docker-registry, GNU tar, zstd).
import { execFileSync, spawn } from 'node:child_process'

export function run(cmd: string, args: readonly string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.message}`)
  }
}

export const isRoot = process.getuid?.() === 0

/** A free loopback port (briefly bound and released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** Starts `docker-registry serve CONFIG`; resolves once it answers on /v2/. */
export async function startRegistry(config: string, port: number): Promise<{ stop(): void }> {
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.on('data', (d: Buffer) => (log = (log + d).slice(-4000)))
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v2/`)
      if (response.status === 200 || response.status === 401) break
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start: ${log}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { stop: () => child.kill('SIGTERM') }
}
