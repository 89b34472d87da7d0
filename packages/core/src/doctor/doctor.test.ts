import { describe, expect, it } from 'vitest'
import { hostInfo } from '../host/host-info.js'
import { runDoctor } from './doctor.js'
import { formatDoctorReport } from './format.js'

// Off Linux, by injecting the platform: host detection must check it before reading /proc.
describe.each(['darwin', 'win32'] as const)('doctor on %s', (platform) => {
  it('host detection reads nothing under /proc and offers no cgroup', () => {
    const host = hostInfo({}, platform)
    expect(host.mounts).toEqual([])
    expect(host.cgroups.driver).toBeNull()
    expect(host.cgroups.issues.map((i) => i.cause)).toEqual(['not-linux'])
  })

  it('says containers need Linux and how to get one, instead of crashing', async () => {
    const report = await runDoctor({ platform })
    expect(report.canRun).toBe(false)
    expect(report.findings).toMatchObject([{ cause: 'not-linux', severity: 'error' }])
    const text = formatDoctorReport(report)
    expect(text).toContain('containers need Linux')
    expect(text).toMatch(/Docker[\s\S]*Linux VM[\s\S]*WSL2/)
    expect(text).toContain('containers cannot run on this host')
  })
})
