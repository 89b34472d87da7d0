import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { encodePlan, type PlanOp } from './plan.js'

const golden = (name: string) => readFileSync(new URL(`../../../../native/tests/golden/${name}`, import.meta.url))

describe('encodePlan', () => {
  it('encodes the golden plan byte for byte (native/tests/golden/plan.bin, which the C parser reads)', () => {
    const plan = JSON.parse(golden('plan.json').toString()) as PlanOp[]
    expect(encodePlan(plan).equals(golden('plan.bin'))).toBe(true)
  })

  it('prefixes the body with its length, little-endian', () => {
    const encoded = encodePlan([{ op: 'argv', args: ['true'] }])
    expect(encoded.readUInt32LE(0)).toBe(encoded.length - 4)
    expect(encoded.subarray(4).toString()).toBe('version\u00002\u0000argv\u00001\u0000true\u0000end\u0000')
  })

  it('refuses keep-fd 0 to 2, which are always kept', () => {
    expect(() => encodePlan([{ op: 'keep-fd', fd: 2 }])).toThrow(/3 or more/)
  })

  it('refuses tokens with NUL bytes', () => {
    expect(() => encodePlan([{ op: 'argv', args: ['a\u0000b'] }])).toThrow(/NUL byte/)
  })
})
