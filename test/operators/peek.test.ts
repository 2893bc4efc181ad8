import { describe, expect, test } from 'vitest'
import { serdes, type StreamRecord } from '../../index.js'
import { peek } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

describe('peek', () => {
  const start = driverPerTest()

  test('calls the function with each record and passes the record on unchanged', async () => {
    const seen: StreamRecord<string, string>[] = []
    const driver = await start((app) => {
      app
        .stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(peek((record) => seen.push(record)))
        .to('out', { key: serdes.string(), value: serdes.string() })
    })
    await driver.input('in', { key: serdes.string(), value: serdes.string() }).sendAll([
      { key: 'k1', value: 'a', timestamp: 10 },
      { key: 'k2', value: 'b', timestamp: 20 },
    ])
    expect(seen.map(({ key, value, timestamp, topic, partition, offset }) => ({ key, value, timestamp, topic, partition, offset }))).toEqual([
      { key: 'k1', value: 'a', timestamp: 10, topic: 'in', partition: 0, offset: 0 },
      { key: 'k2', value: 'b', timestamp: 20, topic: 'in', partition: 0, offset: 1 },
    ])
    expect(await driver.output('out', { key: serdes.string(), value: serdes.string() }).readKeyValues()).toEqual([
      ['k1', 'a'],
      ['k2', 'b'],
    ])
  })

  test('stops the app with a ProcessingError when the function throws (policy fail)', async () => {
    const driver = await start((app) => {
      app
        .stream('in', { value: serdes.string() })
        .pipe(
          peek((record) => {
            if (record.value === 'bad') throw new Error('cannot log this')
          }),
        )
        .to('out', { value: serdes.string() })
    })
    await expect(driver.input('in', { value: serdes.string() }).send('bad')).rejects.toMatchObject({
      name: 'ProcessingError',
      operator: 'peek',
      message: expect.stringContaining('cannot log this'),
    })
  })
})
