import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { flatMap } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

describe('flatMap', () => {
  const start = driverPerTest()

  test('turns each record into one record per value returned, keeping key and timestamp', async () => {
    const driver = await start((app) => {
      app
        .stream('lines', { key: serdes.string(), value: serdes.string() })
        .pipe(flatMap((line) => line.split(' ')))
        .to('words', { key: serdes.string(), value: serdes.string() })
    })
    await driver.input('lines', { key: serdes.string(), value: serdes.string() }).send('to be or', { key: 'l1', timestamp: 7 })
    const words = await driver.output('words', { key: serdes.string(), value: serdes.string() }).readAll()
    expect(words.map((record) => [record.key, record.value, record.timestamp])).toEqual([
      ['l1', 'to', 7],
      ['l1', 'be', 7],
      ['l1', 'or', 7],
    ])
  })

  test('drops a record for which the function returns nothing, and takes any iterable', async () => {
    const driver = await start((app) => {
      app
        .stream('counts', { value: serdes.int32() })
        .pipe(
          flatMap(function* (count) {
            for (let i = 1; i <= count; i++) yield i
          }),
        )
        .to('numbers', { value: serdes.int32() })
    })
    await driver.input('counts', { value: serdes.int32() }).sendAll([{ value: 2 }, { value: 0 }, { value: 3 }])
    expect(await driver.output('numbers', { value: serdes.int32() }).readValues()).toEqual([1, 2, 1, 2, 3])
  })
})
