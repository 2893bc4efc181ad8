import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { mapValues, merge } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

const kv = { key: serdes.string(), value: serdes.string() }

describe('merge', () => {
  const start = driverPerTest()

  test('the operator merges other streams of the app into this one', async () => {
    const driver = await start((app) => {
      const web = app.stream('web-clicks', kv)
      const mobile = app.stream('mobile-clicks', kv)
      const kiosk = app.stream('kiosk-clicks', kv)
      web.pipe(merge(mobile, kiosk)).to('all-clicks', kv)
    })
    await driver.input('web-clicks', kv).send('w1', { key: 'u1', timestamp: 1 })
    await driver.input('mobile-clicks', kv).send('m1', { key: 'u2', timestamp: 2 })
    await driver.input('kiosk-clicks', kv).send('k1', { key: 'u3', timestamp: 3 })
    await driver.input('web-clicks', kv).send('w2', { key: 'u1', timestamp: 4 })
    expect(await driver.output('all-clicks', kv).readKeyValues()).toEqual([
      ['u1', 'w1'],
      ['u2', 'm1'],
      ['u3', 'k1'],
      ['u1', 'w2'],
    ])
  })

  test('Stream.merge does the same, and the merged stream is shaped on', async () => {
    const driver = await start((app) => {
      const web = app.stream('web-clicks', kv)
      const mobile = app.stream('mobile-clicks', kv).pipe(mapValues((value) => `mobile:${value}`))
      web
        .merge(mobile)
        .pipe(mapValues((value) => value.toUpperCase()))
        .to('all-clicks', kv)
    })
    await driver.input('web-clicks', kv).send('w1', { key: 'u1' })
    await driver.input('mobile-clicks', kv).send('m1', { key: 'u2' })
    expect(await driver.output('all-clicks', kv).readValues()).toEqual(['W1', 'MOBILE:M1'])
  })

  test('interleaves the records of the merged topics by timestamp, keeping the order within a partition', async () => {
    const driver = await start(
      (app) => {
        app.stream('a', kv).merge(app.stream('b', kv)).to('out', kv)
      },
      { partitions: { a: 2, b: 2, out: 2 } },
    )
    // Both inputs written before the app polls: one poll sees both, ordered by timestamp.
    await driver.log.producer().send([
      { topic: 'a', partition: 1, key: Buffer.from('x'), value: Buffer.from('a@30'), timestamp: 30 },
      { topic: 'a', partition: 1, key: Buffer.from('x'), value: Buffer.from('a@10'), timestamp: 10 },
      { topic: 'b', partition: 1, key: Buffer.from('x'), value: Buffer.from('b@20'), timestamp: 20 },
    ])
    await driver.settle()
    const out = await driver.output('out', kv).readAll()
    expect(out.map((record) => record.value)).toEqual(['b@20', 'a@30', 'a@10'])
  })
})
