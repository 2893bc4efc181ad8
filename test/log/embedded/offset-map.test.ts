import { describe, expect, test } from 'vitest'
import { murmur2 } from '../../../core/log/partitioner.js'
import { OffsetMap } from '../../../core/log/embedded/offset-map.js'

const key = (text: string): Buffer => Buffer.from(text)

describe("compaction's key → offset map", () => {
  test('returns the latest offset put for each key, and undefined for a key never put', () => {
    const map = new OffsetMap(1024 * 1024)
    for (let offset = 0; offset < 10_000; offset++) expect(map.put(key(`user-${offset % 1000}`), offset)).toBe(true)
    expect(map.size).toBe(1000)
    for (let user = 0; user < 1000; user++) expect(map.get(key(`user-${user}`))).toBe(9000 + user)
    expect(map.get(key('user-1000'))).toBeUndefined()
  })

  test('keeps two keys with the same hash apart: a collision never hides the latest record of a key', () => {
    const [first, second] = [key('key-5144'), key('key-225276')]
    expect(murmur2(first)).toBe(murmur2(second))
    const map = new OffsetMap(4096)
    map.put(first, 10)
    map.put(second, 20)
    expect(map.get(first)).toBe(10)
    expect(map.get(second)).toBe(20)
  })

  test('tells a key apart from its prefixes and extensions', () => {
    const map = new OffsetMap(4096)
    map.put(key('ab'), 1)
    expect(map.get(key('a'))).toBeUndefined()
    expect(map.get(key('abc'))).toBeUndefined()
    expect(map.get(key(''))).toBeUndefined()
    map.put(key(''), 2)
    expect(map.get(key(''))).toBe(2)
    expect(map.get(key('ab'))).toBe(1)
  })

  test('once full, refuses new keys but still takes newer offsets of the keys it holds, and stays within its capacity', () => {
    const capacity = 16 * 1024
    const map = new OffsetMap(capacity)
    let taken = 0
    while (map.put(key(`some-longer-key-${taken}`), taken)) taken++
    expect(taken).toBeGreaterThan(100)
    expect(map.allocatedBytes).toBeLessThanOrEqual(capacity)
    expect(map.put(key('some-longer-key-0'), 1_000_000)).toBe(true)
    expect(map.get(key('some-longer-key-0'))).toBe(1_000_000)
    expect(map.get(key(`some-longer-key-${taken}`))).toBeUndefined()
    for (let i = 0; i < taken; i++) expect(map.get(key(`some-longer-key-${i}`))).toBe(i === 0 ? 1_000_000 : i)
  })

  test('an empty map takes a key larger than its capacity, so a compaction pass always moves on', () => {
    const map = new OffsetMap(4096)
    expect(map.put(Buffer.alloc(10_000, 7), 3)).toBe(true)
    expect(map.get(Buffer.alloc(10_000, 7))).toBe(3)
  })

  test('clear forgets every key and makes room again', () => {
    const map = new OffsetMap(8192)
    let taken = 0
    while (map.put(key(`k${taken}`), taken)) taken++
    map.clear()
    expect(map.size).toBe(0)
    expect(map.get(key('k0'))).toBeUndefined()
    for (let i = 0; i < taken; i++) expect(map.put(key(`j${i}`), i)).toBe(true)
    expect(map.size).toBe(taken)
  })
})
