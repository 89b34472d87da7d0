import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { StatusDecoder } from './status.js'

const golden = (name: string) => readFileSync(new URL(`../../../../native/tests/golden/${name}`, import.meta.url))

describe('StatusDecoder', () => {
  it('decodes the golden records exactly as the launcher formats them (native/tests/golden/status.jsonl)', () => {
    expect(new StatusDecoder().push(golden('status.jsonl'))).toEqual(JSON.parse(golden('status.json').toString()))
  })

  it('reassembles records split across chunks, also inside a UTF-8 character', () => {
    const bytes = golden('status.jsonl')
    const decoder = new StatusDecoder()
    const records = []
    for (let i = 0; i < bytes.length; i += 7) records.push(...decoder.push(bytes.subarray(i, i + 7)))
    expect(records).toEqual(JSON.parse(golden('status.json').toString()))
    expect(records.find((r) => r.type === 'error' && r.path)).toMatchObject({ path: '/srv/data é' })
  })

  it('skips records of types it does not know, so a newer launcher may add some', () => {
    expect(new StatusDecoder().push('{"type":"progress","stage":"mount"}\n{"type":"started"}\n')).toEqual([{ type: 'started' }])
  })

  it.each(['not json', '{"type":"pid"}', '{"no":"type"}', '{"type":"exit"}', '{"type":"error","message":"no stage"}'])(
    'rejects %s with a protocol error that keeps its cause',
    (line) => {
      expect(() => new StatusDecoder().push(`${line}\n`)).toThrow(expect.objectContaining({ code: 'TESTCELL_LAUNCHER_PROTOCOL' }))
    },
  )
})
