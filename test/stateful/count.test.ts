import { describe, expect, test } from 'vitest'
import { named, serdes } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'

describe('count', () => {
  const start = driverPerTest()

  test('counts records per key and forwards each key once per commit with the cache on', async () => {
    const driver = await start((app) => {
      app.stream('words', { key: serdes.string(), value: serdes.string() })
        .groupByKey({ key: serdes.string() })
        .count(named('word-counts'))
        .toStream()
        .to('counts', { key: serdes.string(), value: serdes.float64() })
    })
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
      (app) => {
        app.stream('words', { key: serdes.string(), value: serdes.string() })
          .groupByKey({ key: serdes.string() })
          .count(named('word-counts'))
          .toStream()
          .to('counts', { key: serdes.string(), value: serdes.float64() })
      },
      { cacheMaxBytes: 0 },
    )
    await driver.input('words', { key: serdes.string(), value: serdes.string() }).sendAll(['a', 'b', 'a'].map((word) => ({ key: word, value: word })))
    expect(await driver.output('counts', { key: serdes.string(), value: serdes.float64() }).readKeyValues()).toEqual([['a', 1], ['b', 1], ['a', 2]])
  })
})
