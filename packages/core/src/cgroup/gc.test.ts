import { describe, expect, it } from 'vitest'
import { hasForeignMembers, staleCgroupNames } from './gc.js'

describe('staleCgroupNames', () => {
  const alive = new Set([100, 200])
  const isAlive = (pid: number) => alive.has(pid)

  it('picks testcell cgroups of dead owners', () => {
    expect(staleCgroupNames(['testcell-300-0badc0de', 'testcell-100-0badc0de', 'testcell-400-1f'], isAlive)).toEqual([
      'testcell-300-0badc0de',
      'testcell-400-1f',
    ])
  })

  it('never picks what testcell did not name, however close', () => {
    const foreign = ['process_api', 'user.slice', 'testcell', 'testcell-300', 'testcell-300-', 'testcell-300-xyz', 'testcell-it-300', 'x-testcell-300-ab']
    expect(staleCgroupNames(foreign, () => false)).toEqual([])
  })

  it('never picks this process’s own cgroups', () => {
    expect(staleCgroupNames([`testcell-${process.pid}-ab`], () => false)).toEqual([])
  })

  it('asks about each owner, so a live owner keeps all its cgroups', () => {
    const asked: number[] = []
    staleCgroupNames(['testcell-200-a', 'testcell-200-b', 'testcell-300-c'], (pid) => {
      asked.push(pid)
      return isAlive(pid)
    })
    expect(asked).toEqual([200, 200, 300])
  })
})

describe('hasForeignMembers', () => {
  it('tells processes of another pid namespace (listed as 0) from ours', () => {
    expect(hasForeignMembers('')).toBe(false)
    expect(hasForeignMembers('1234\n5678\n')).toBe(false)
    expect(hasForeignMembers('1234\n0\n')).toBe(true)
    expect(hasForeignMembers('10\n')).toBe(false)
  })
})
