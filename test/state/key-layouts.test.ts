import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { decodeSessionKey, encodeSessionKey } from '../../state/session-key.js'
import { MAX_TIME, MIN_TIME, readTime, timeBytes } from '../../state/time-bytes.js'
import { decodeWindowKey, encodeWindowKey } from '../../state/window-key.js'

describe('time bytes', () => {
  test('golden bytes: sign bit flipped, big-endian', () => {
    expect(timeBytes(0).toString('hex')).toBe('8000000000000000')
    expect(timeBytes(1).toString('hex')).toBe('8000000000000001')
    expect(timeBytes(-1).toString('hex')).toBe('7fffffffffffffff')
    expect(timeBytes(2 ** 32).toString('hex')).toBe('8000000100000000')
    expect(timeBytes(MAX_TIME).toString('hex')).toBe('801fffffffffffff')
    expect(timeBytes(MIN_TIME).toString('hex')).toBe('7fe0000000000001')
  })

  test('every safe integer reads back as itself', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (time) => readTime(timeBytes(time), 0) === time))
  })

  test('byte order is numeric order, negative times included', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), fc.maxSafeInteger(), (a, b) => Math.sign(Buffer.compare(timeBytes(a), timeBytes(b))) === Math.sign(a - b)))
  })
})

describe('window key', () => {
  test('golden bytes: segment, key length, key, start', () => {
    expect(encodeWindowKey(2, Buffer.from('ab'), -5).toString('hex')).toBe('8000000000000002' + '00000002' + '6162' + '7ffffffffffffffb')
  })

  test('decodes to its parts', () => {
    expect(decodeWindowKey(Buffer.from('8000000000000002' + '00000002' + '6162' + '7ffffffffffffffb', 'hex'))).toEqual({ segment: 2, key: Buffer.from('ab'), start: -5 })
  })

  test('a key that prefixes another never interleaves with it', () => {
    const a = [0, 5, 9].map((start) => encodeWindowKey(0, Buffer.from('a'), start))
    const ab = [1, 4].map((start) => encodeWindowKey(0, Buffer.from('ab'), start))
    const sorted = [...a, ...ab].sort(Buffer.compare)
    expect(sorted).toEqual([...a, ...ab])
  })

  test('bytes of the wrong length are refused', () => {
    expect(() => decodeWindowKey(Buffer.from('80000000000000020000000261', 'hex'))).toThrow(RangeError)
  })
})

describe('session key', () => {
  test('golden bytes: segment, key length, key, end, start', () => {
    expect(encodeSessionKey(0, Buffer.from('k'), 5, 9).toString('hex')).toBe('8000000000000000' + '00000001' + '6b' + '8000000000000009' + '8000000000000005')
  })

  test('decodes to its parts', () => {
    expect(decodeSessionKey(encodeSessionKey(-3, Buffer.from('k'), -10, -2))).toEqual({ segment: -3, key: Buffer.from('k'), start: -10, end: -2 })
  })
})
