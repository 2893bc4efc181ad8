import { describe, expect, it } from 'vitest'
import { OffsetOutOfRangeError } from '../../../core/log/errors.js'
import { resetPosition, startPosition, type ResetPolicy } from '../../../core/log/kafka/positions.js'

const tp = { topic: 'orders', partition: 2 }
const range = { start: 6, end: 10 }

function policy(name: ResetPolicy['policy'], warnings: string[] = []): ResetPolicy {
  return { policy: name, owner: 'group billing', logger: { warn: (message) => warnings.push(message) } }
}

describe('resetPosition', () => {
  it('moves an out-of-range offset to the start or the end, with a warning naming it', () => {
    const warnings: string[] = []
    expect(resetPosition(tp, 2, range, policy('earliest', warnings), 'position')).toBe(6)
    expect(resetPosition(tp, 2, range, policy('latest', warnings), 'position')).toBe(10)
    expect(warnings[0]).toBe('position 2 of group billing is outside orders-2 [6, 10]; resetting to earliest')
  })

  it("throws OffsetOutOfRangeError naming the offset and the range under 'none'", () => {
    expect(() => resetPosition(tp, 2, range, policy('none'), 'position')).toThrow(OffsetOutOfRangeError)
    try {
      resetPosition(tp, 2, range, policy('none'), 'position')
    } catch (error) {
      expect(error).toMatchObject({ topic: 'orders', partition: 2, offset: 2, startOffset: 6, endOffset: 10 })
    }
  })
})

describe('startPosition', () => {
  it('starts at the committed offset while it is at or above the start', () => {
    expect(startPosition(tp, 8, range, policy('latest'))).toEqual({ position: 8, failure: undefined })
  })

  it('starts by the policy without a committed offset, or with one below the start', () => {
    expect(startPosition(tp, undefined, range, policy('latest')).position).toBe(10)
    expect(startPosition(tp, 3, range, policy('earliest', [])).position).toBe(6)
  })

  it("has no position, and the error its polls throw, under 'none' without a committed offset", () => {
    const { position, failure } = startPosition(tp, undefined, range, policy('none'))
    expect(position).toBeUndefined()
    expect(failure).toBeInstanceOf(OffsetOutOfRangeError)
  })
})
