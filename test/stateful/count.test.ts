import { describe, expect, test } from 'vitest'
import { named, rocksdbStores, serdes, type App } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'
import { tempDirPerTest } from '../runtime/helpers.js'

/** words → groupByKey → count (store word-counts) → counts */
function countWords(app: App): void {
  app.stream('words', { key: serdes.string(), value: serdes.string() })
    .groupByKey({ key: serdes.string() })
    .count(named('word-counts'))
    .toStream()
    .to('counts', { key: serdes.string(), value: serdes.float64() })
}

describe('count', () => {
  // Registered first, so it runs after the drivers are closed (hooks run in reverse order).
  const tempDir = tempDirPerTest('count')
  const start = driverPerTest()

  test('counts records per key and forwards each key once per commit with the cache on', async () => {
    const driver = await start(countWords)
    const words = driver.input('words', { key: serdes.string(), value: serdes.string() })
    await words.sendAll(['a', 'b', 'a', 'a'].map((word) => ({ key: word, value: word })))
    const counts = driver.output('counts', { key: serdes.string(), value: serdes.float64() })
    expect(await counts.readKeyValues()).toEqual([['a', 3], ['b', 1]])
    await words.send('b', { key: 'b' })
    expect(await counts.readKeyValues()).toEqual([['b', 2]])
    expect(await driver.store<string, number>('word-counts').get('a')).toBe(3)
  })

  test('forwards every update with the cache off', async () => {
    const driver = await start(
      countWords,
      { cacheMaxBytes: 0 },
    )
    await driver.input('words', { key: serdes.string(), value: serdes.string() }).sendAll(['a', 'b', 'a'].map((word) => ({ key: word, value: word })))
    expect(await driver.output('counts', { key: serdes.string(), value: serdes.float64() }).readKeyValues()).toEqual([['a', 1], ['b', 1], ['a', 2]])
  })

  test('on RocksDB with a cache too small for the keys, values read from disk keep per-key order and every count is right', async () => {
    const driver = await start(
      countWords,
      { stores: rocksdbStores(), stateDir: tempDir(), cacheMaxBytes: 300 },
    )
    const words = driver.input('words', { key: serdes.string(), value: serdes.string() })
    const sequence = Array.from({ length: 400 }, (_, i) => `w${(i * 7) % 23}`)
    // Two sends: the second finds most keys evicted to RocksDB, read back in batches.
    await words.sendAll(sequence.slice(0, 200).map((word) => ({ key: word, value: word })))
    await words.sendAll(sequence.slice(200).map((word) => ({ key: word, value: word })))
    const expected = new Map<string, number>()
    for (const word of sequence) expected.set(word, (expected.get(word) ?? 0) + 1)
    const latest = new Map<string, number>()
    const updates = await driver.output('counts', { key: serdes.string(), value: serdes.float64() }).readKeyValues()
    for (const [word, count] of updates) {
      // Per key, counts only go up: no update was applied out of order.
      expect(count).toBeGreaterThan(latest.get(word) ?? 0)
      latest.set(word, count)
    }
    expect(latest).toEqual(expected)
    for (const [word, count] of expected) expect(await driver.store<string, number>('word-counts').get(word)).toBe(count)
  })
})
