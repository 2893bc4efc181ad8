import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { serdes } from '../../core/serde/index.js'
import { serdeErrorOf, keyOf } from './helpers.js'

const context = keyOf('counts')

describe('serdes.int32', () => {
  const serde = serdes.int32()

  it('round-trips every 32-bit integer', () => {
    fc.assert(fc.property(fc.integer(), (n) => serde.deserialize(serde.serialize(n, context), context) === n))
  })

  it('writes 4 big-endian bytes, as Kafka IntegerSerde does', () => {
    expect(serde.serialize(258, context).toString('hex')).toBe('00000102')
    expect(serde.serialize(-1, context).toString('hex')).toBe('ffffffff')
  })

  it('refuses numbers that are not 32-bit integers instead of truncating them', () => {
    for (const n of [2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN]) {
      expect(serdeErrorOf(() => serde.serialize(n, context)).operation).toBe('serialize')
    }
  })

  it('rejects a payload that is not 4 bytes', () => {
    const error = serdeErrorOf(() => serde.deserialize(Buffer.from([1, 2, 3]), context))
    expect(error.message).toBe('cannot deserialize key of topic counts with int32: expected 4 bytes, got 3')
  })
})

describe('serdes.int64', () => {
  const serde = serdes.int64()

  it('round-trips every 64-bit integer, beyond 2^53 too', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => serde.deserialize(serde.serialize(n, context), context) === n))
    expect(serde.deserialize(serde.serialize(2n ** 63n - 1n, context), context)).toBe(9223372036854775807n)
  })

  it('writes 8 big-endian bytes, as Kafka LongSerde does', () => {
    expect(serde.serialize(2n ** 40n, context).toString('hex')).toBe('0000010000000000')
    expect(serde.deserialize(Buffer.alloc(8, 0xff), context)).toBe(-1n)
  })

  it('refuses bigints outside the 64-bit range', () => {
    expect(serdeErrorOf(() => serde.serialize(2n ** 63n, context)).reason).toMatch(/not a 64-bit integer/)
  })

  it('rejects a payload that is not 8 bytes', () => {
    expect(serdeErrorOf(() => serde.deserialize(Buffer.alloc(4), context)).reason).toBe('expected 8 bytes, got 4')
  })
})

describe('serdes.float64', () => {
  const serde = serdes.float64()

  it('round-trips every double, NaN and -0 included', () => {
    fc.assert(fc.property(fc.double(), (n) => Object.is(serde.deserialize(serde.serialize(n, context), context), n)))
  })

  it('writes 8 big-endian IEEE 754 bytes, as Kafka DoubleSerde does', () => {
    expect(serde.serialize(1.5, context).toString('hex')).toBe('3ff8000000000000')
  })

  it('rejects a payload that is not 8 bytes', () => {
    expect(serdeErrorOf(() => serde.deserialize(Buffer.alloc(9), context)).serde).toBe('float64')
  })
})
