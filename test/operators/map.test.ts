import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { map } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

describe('map', () => {
  const start = driverPerTest()
  const header = { key: 'trace', value: Buffer.from('t-1') }

  test('gives each record the key and value the function returns', async () => {
    const driver = await start((app) => {
      app
        .stream('orders', { key: serdes.string(), value: serdes.json<{ customer: string; total: number }>() })
        .pipe(map((record) => ({ key: record.value.customer, value: record.value.total * 100 })))
        .to('totals', { key: serdes.string(), value: serdes.int32() })
    })
    await driver.input('orders', { key: serdes.string(), value: serdes.json<{ customer: string; total: number }>() }).sendAll([
      { key: 'o1', value: { customer: 'ann', total: 3 } },
      { key: 'o2', value: { customer: 'bob', total: 5 } },
    ])
    expect(await driver.output('totals', { key: serdes.string(), value: serdes.int32() }).readKeyValues()).toEqual([
      ['ann', 300],
      ['bob', 500],
    ])
  })

  test('keeps the timestamp and headers unless the function returns new ones', async () => {
    const driver = await start((app) => {
      const words = app.stream('words', { value: serdes.string() })
      words.pipe(map((record) => ({ key: record.value, value: record.value.length }))).to('kept', { key: serdes.string(), value: serdes.int32() })
      words
        .pipe(map((record) => ({ key: record.value, value: 0, timestamp: record.timestamp + 1_000, headers: [] })))
        .to('replaced', { key: serdes.string(), value: serdes.int32() })
    })
    await driver.input('words', { value: serdes.string() }).send('hello', { timestamp: 5_000, headers: [header] })
    const [kept] = await driver.output('kept', { key: serdes.string(), value: serdes.int32() }).readAll()
    const [replaced] = await driver.output('replaced', { key: serdes.string(), value: serdes.int32() }).readAll()
    expect(kept).toMatchObject({ key: 'hello', value: 5, timestamp: 5_000, headers: [header] })
    expect(replaced).toMatchObject({ key: 'hello', value: 0, timestamp: 6_000, headers: [] })
  })

  test('sends a record whose function throws to the processing-error handler', async () => {
    const driver = await start(
      (app) => {
        app
          .stream('in', { value: serdes.string() })
          .pipe(map((record) => ({ key: record.value, value: JSON.parse(record.value) as number })))
          .to('out', { key: serdes.string(), value: serdes.json<number>() })
      },
      { onProcessingError: 'skip' },
    )
    await driver.input('in', { value: serdes.string() }).sendAll([{ value: '1' }, { value: 'not json' }, { value: '3' }])
    expect(await driver.output('out', { key: serdes.string(), value: serdes.json<number>() }).readValues()).toEqual([1, 3])
    expect(driver.metrics().skipped).toBe(1)
  })
})
