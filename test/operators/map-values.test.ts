import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { mapValues } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

describe('mapValues', () => {
  const start = driverPerTest()

  test('maps each value and keeps the key, timestamp and headers', async () => {
    const header = { key: 'source', value: Buffer.from('till-7') }
    const driver = await start((app) => {
      app
        .stream('prices', { key: serdes.string(), value: serdes.int32() })
        .pipe(mapValues((cents) => cents / 100))
        .to('euros', { key: serdes.string(), value: serdes.float64() })
    })
    await driver.input('prices', { key: serdes.string(), value: serdes.int32() }).send(1250, { key: 'tea', timestamp: 42, headers: [header] })
    expect(await driver.output('euros', { key: serdes.string(), value: serdes.float64() }).readAll()).toEqual([
      { key: 'tea', value: 12.5, timestamp: 42, headers: [header], partition: 0 },
    ])
  })

  test('passes the whole record to the function as its second argument', async () => {
    const driver = await start((app) => {
      app
        .stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(mapValues((value, record) => `${record.key}:${value}@${record.topic}-${record.partition}#${record.offset}`))
        .to('out', { value: serdes.string() })
    })
    await driver.input('in', { key: serdes.string(), value: serdes.string() }).sendAll([
      { key: 'k', value: 'a' },
      { key: 'k', value: 'b' },
    ])
    expect(await driver.output('out', { value: serdes.string() }).readValues()).toEqual(['k:a@in-0#0', 'k:b@in-0#1'])
  })
})
