import { describe, expect, it } from 'vitest'
import { StatusDecoder } from './status.js'

describe('StatusDecoder', () => {
  it('reassembles records split across chunks', () => {
    const decoder = new StatusDecoder()
    expect(decoder.push('{"type":"pid","pid":42}\n{"type":"sta')).toEqual([{ type: 'pid', pid: 42 }])
    expect(decoder.push('rted"}\n{"type":"exit","signal":9}\n')).toEqual([{ type: 'started' }, { type: 'exit', signal: 9 }])
  })

  it('decodes error records with their fields', () => {
    const line = '{"type":"error","stage":"mount","syscall":"mount","errno":22,"errname":"EINVAL","path":"/usr","message":"overlay failed"}\n'
    expect(new StatusDecoder().push(line)[0]).toMatchObject({ stage: 'mount', errno: 22, path: '/usr' })
  })

  it.each(['not json', '{"type":"pid"}', '{"type":"nope"}', '{"type":"exit"}'])('rejects %s with a protocol error', (line) => {
    expect(() => new StatusDecoder().push(`${line}\n`)).toThrow(expect.objectContaining({ code: 'TESTCELL_LAUNCHER_PROTOCOL' }))
  })
})
