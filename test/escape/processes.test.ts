import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { CLI } from '../integration/helpers.js'
import { inside, outside, PROBE } from './probe.js'

describe('escapes through processes', () => {
  it('signal a host pid', async () => {
    expect(outside(['kill', String(process.pid)]).blocked).toBe(false)
    expect(await inside(['kill', String(process.pid)])).toMatchObject({ blocked: true, detail: 'ESRCH' })
  })

  it('ptrace of init', async () => {
    expect(await inside(['ptrace', '1'])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it('setns through /proc/*/ns of anything visible', async () => {
    expect(await inside(['setns'])).toMatchObject({ blocked: true })
  })

  it('inherited fds', () => {
    // The caller holds fd 7 without close-on-exec (as shells and some CI runners leave fds open); the launcher
    // inherits it, and the payload must not.
    const script = `exec 7</etc/hostname; exec "${process.execPath}" "${CLI}" run -- "${PROBE}" fds`
    expect(spawnSync('sh', ['-c', `exec 7</etc/hostname; "${PROBE}" fds`], { encoding: 'utf8' }).stdout).toMatch(/ALLOWED open fds: 7/)
    const run = spawnSync('sh', ['-c', script], { encoding: 'utf8' })
    expect(run.stdout).toBe('fds: blocked nothing\n')
  })
})
