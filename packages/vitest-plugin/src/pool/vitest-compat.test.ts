import { describe, expect, it } from 'vitest'
import { version } from 'vitest/node'
import { compat, compatFor } from './vitest-compat.js'

describe('compatFor', () => {
  it('Vitest 4: answers a start and a stop for a dead worker, and fails its file', () => {
    expect(compatFor('4.1.12')).toEqual({ answerStartOnDeath: true, answerStopOnDeath: true, failUnfinishedFile: true })
  })

  it("Vitest 5: relies on Vitest's own handling except while stopping", () => {
    expect(compatFor('5.1.1')).toEqual({ answerStartOnDeath: false, answerStopOnDeath: true, failUnfinishedFile: false })
  })

  it('follows the Vitest that is loaded', () => {
    expect(compat).toEqual(compatFor(version))
  })
})
