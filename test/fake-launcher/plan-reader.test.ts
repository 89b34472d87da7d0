import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { encodePlan, type PlanOp } from '../../packages/core/src/launcher/plan.js'
import { parsePlan } from './plan-reader.mjs'

const golden = (name: string) => readFileSync(new URL(`../../native/tests/golden/${name}`, import.meta.url))

describe("the fake launcher's plan reader", () => {
  it("reads the protocol's golden plan as the launcher does: every record, in order", () => {
    const plan = JSON.parse(golden('plan.json').toString()) as PlanOp[]
    const binary = golden('plan.bin')
    expect(binary.readUInt32LE(0)).toBe(binary.length - 4)
    const ops = parsePlan(binary.subarray(4))
    expect(ops.map((o) => o.op)).toEqual(['version', ...plan.map((p) => (p.op === 'cgroup-write' && p.ifExists ? 'cgroup-write-if-exists' : p.op)), 'end'])
    expect(ops.find((o) => o.op === 'overlay')?.args).toEqual(['/', '/', '/layers/a,b:c\\d'])
    expect(ops.find((o) => o.op === 'argv')?.args).toEqual(['node', '-e', "console.log('hi')", ''])
    expect(ops.find((o) => o.op === 'bind')?.args).toEqual(['/srv/data é', '/var/run/x', 'ro'])
  })

  it('reads what encodePlan writes', () => {
    const body = encodePlan([
      { op: 'keep-fd', fd: 3 },
      { op: 'cwd', dir: '/a b' },
      { op: 'argv', args: ['x'] },
    ]).subarray(4)
    expect(parsePlan(body)).toEqual([
      { op: 'version', args: ['2'] },
      { op: 'keep-fd', args: ['3'] },
      { op: 'cwd', args: ['/a b'] },
      { op: 'argv', args: ['x'] },
      { op: 'end', args: [] },
    ])
  })

  it.each([
    ['version\u00001\u0000end\u0000', /start with version 2/],
    ['version\u00002\u0000frobnicate\u0000end\u0000', /unknown plan opcode frobnicate/],
    ['version\u00002\u0000end\u0000cwd\u0000/\u0000', /bytes after end/],
    ['version\u00002\u0000cwd\u0000/\u0000', /must end with end/],
  ])('refuses %j', (body, message) => {
    expect(() => parsePlan(Buffer.from(body))).toThrow(message)
  })
})
