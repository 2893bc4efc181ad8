import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { serdes } from '../../core/serde/index.js'
import { serdeErrorOf, keyOf } from './helpers.js'

const context = keyOf('counts-per-minute')
const serde = serdes.windowed(serdes.string())

/** The layout as Java writes it: the key's bytes, then start and end as big-endian int64s. */
function expectedBytes(key: string, start: number, end: number): Buffer {
  const times = Buffer.alloc(16)
  times.writeBigInt64BE(BigInt(start), 0)
  times.writeBigInt64BE(BigInt(end), 8)
  return Buffer.concat([Buffer.from(key), times])
}

describe('serdes.windowed', () => {
  it('writes the key, then the window start and end as 8-byte big-endian integers', () => {
    expect(serde.serialize({ key: 'a', window: { start: 60_000, end: 120_000 } }, context).toString('hex')).toBe('61' + '000000000000ea60' + '000000000001d4c0')
    expect(serde.serialize({ key: '', window: { start: -1, end: 0 } }, context).toString('hex')).toBe('ffffffffffffffff' + '0000000000000000')
  })

  it('writes every safe integer time as a 64-bit two\'s-complement integer, and reads it back', () => {
    const time = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
    fc.assert(
      fc.property(fc.string(), time, time, (key, start, end) => {
        const bytes = serde.serialize({ key, window: { start, end } }, context)
        expect(bytes.equals(expectedBytes(key, start, end))).toBe(true)
        expect(serde.deserialize(bytes, context)).toEqual({ key, window: { start, end } })
      }),
    )
    for (const start of [0, 1, -1, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_764_201_600_000]) {
      expect(serde.serialize({ key: 'k', window: { start, end: start } }, context).equals(expectedBytes('k', start, start)), String(start)).toBe(true)
    }
  })

  it('refuses a window whose start or end is not an integer of milliseconds', () => {
    for (const window of [{ start: 1.5, end: 2 }, { start: 0, end: Number.NaN }, { start: 0, end: 2 ** 60 }]) {
      const error = serdeErrorOf(() => serde.serialize({ key: 'k', window }, context))
      expect(error.operation).toBe('serialize')
      expect(error.message).toContain("a window's start and end must be integers of milliseconds")
    }
  })

  it('rejects a payload too short to hold a window', () => {
    expect(serdeErrorOf(() => serde.deserialize(Buffer.alloc(15), context)).message).toContain("15 bytes cannot hold a window's start and end (16 bytes)")
  })
})
