import { createServer } from 'node:net'
import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { runIn, sh } from './helpers.js'

describe('namespaces', () => {
  it('the payload is pid 2 under an init at pid 1 and sees no host process', async () => {
    const { stdout, result } = await sh('echo $$; ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\\n" " "; echo; cat /proc/1/comm')
    const [self, pids, init] = stdout.trim().split('\n')
    expect(result.exitCode).toBe(0)
    expect(self).toBe('2')
    expect(
      pids!
        .trim()
        .split(' ')
        .map(Number)
        .every((pid) => pid < 10),
    ).toBe(true)
    expect(init).toMatch(/testcell/)
  })

  it('host processes cannot be signalled from inside', async () => {
    const { stdout } = await sh(`kill -0 ${process.pid} 2>&1; echo "status $?"`)
    expect(stdout).toMatch(/No such process/)
    expect(stdout).toMatch(/status 1/)
  })

  it('the hostname is private: the one asked for, or a fresh testcell-* name', async () => {
    expect((await runIn(['hostname'], { hostname: 'cell-a' })).stdout.trim()).toBe('cell-a')
    const generated = (await runIn(['hostname'])).stdout.trim()
    expect(generated).toMatch(/^testcell-[0-9a-f]{6}$/)
    expect(generated).not.toBe(hostname())
    await sh('hostname changed-inside 2>/dev/null || true')
    expect(hostname()).not.toBe('changed-inside')
  })

  it('only lo exists, up, with 127.0.0.1 and ::1', async () => {
    const { stdout } = await sh('ls /sys/class/net; cat /sys/class/net/lo/flags; cat /proc/net/if_inet6 | cut -c1-32')
    const [ifaces, flags, v6] = stdout.trim().split('\n')
    expect(ifaces).toBe('lo')
    expect(Number(flags) & 1).toBe(1)
    expect(v6).toBe('00000000000000000000000000000001')
  })

  it('a port bound on the host is free inside, on IPv4 and IPv6 loopback, and the host is unreachable', async () => {
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const port = (server.address() as { port: number }).port
    try {
      const script = `
        const net = require('node:net')
        const listen = (host) => new Promise((ok, fail) => net.createServer().once('error', fail).listen(${port}, host, ok))
        const connect = () => new Promise((ok) => net.connect(${port}, '127.0.0.1').once('connect', () => ok('connected')).once('error', (e) => ok(e.code)))
        connect().then(async (first) => { await listen('127.0.0.1'); await listen('::1'); console.log(first, 'bound both'); process.exit(0) })`
      const { stdout, stderr, result } = await runIn([process.execPath, '-e', script])
      expect(stderr).toBe('')
      expect(stdout.trim()).toBe('ECONNREFUSED bound both')
      expect(result.exitCode).toBe(0)
    } finally {
      server.close()
    }
  })

  it('network none has no interface up; host keeps the host network', async () => {
    expect((await sh('cat /sys/class/net/lo/flags', { network: 'none' })).stdout.trim()).toBe('0x8')
    const host = await sh('ls /sys/class/net | wc -l', { network: 'host' })
    expect(Number(host.stdout.trim())).toBeGreaterThan(1)
  })

  it('closes every inherited fd except stdio and the IPC channel', async () => {
    const fds = 'sleep 5 & sleep 0.2; ls /proc/$!/fd | sort -n | tr "\\n" " "; kill $!'
    expect((await sh(fds)).stdout.trim()).toBe('0 1 2')
    expect((await sh(fds, { ipc: 'json' })).stdout.trim()).toBe('0 1 2 3')
  })

  it('reduces capabilities to the Docker default set without CAP_MKNOD, sets no_new_privs, and mounts /sys read-only', async () => {
    const { stdout } = await sh('grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status | tr -s "\\t" " "; (touch /sys/x) 2>&1')
    expect(stdout).toMatch(/^CapEff: 00000000a00425fb$/m)
    expect(stdout).toMatch(/^CapBnd: 00000000a00425fb$/m)
    expect(stdout).toMatch(/^NoNewPrivs: 1$/m)
    expect(stdout).toMatch(/Read-only file system/)
  })
})
