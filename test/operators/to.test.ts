import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { mapValues, to } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

interface Event { region: string; amount: number }
const events = { key: serdes.string(), value: serdes.json<Event>() }

describe('to', () => {
  const start = driverPerTest()

  test('writes every record to a fixed topic (the operator and Stream.to alike)', async () => {
    const driver = await start((app) => {
      const stream = app.stream('events', events)
      stream.pipe(to('copy-by-operator', events))
      stream.to('copy-by-method', events)
    })
    await driver.input('events', events).sendAll([
      { key: 'e1', value: { region: 'eu', amount: 1 } },
      { key: 'e2', value: { region: 'us', amount: 2 } },
    ])
    const expected = [
      ['e1', { region: 'eu', amount: 1 }],
      ['e2', { region: 'us', amount: 2 }],
    ]
    expect(await driver.output('copy-by-operator', events).readKeyValues()).toEqual(expected)
    expect(await driver.output('copy-by-method', events).readKeyValues()).toEqual(expected)
  })

  test('routes each record to the topic a function picks for it', async () => {
    const driver = await start((app) => {
      app.stream('events', events).to((record) => `events-${record.value.region}`, events)
    })
    await driver.createTopic('events-eu')
    await driver.createTopic('events-us')
    await driver.input('events', events).sendAll([
      { key: 'e1', value: { region: 'eu', amount: 1 } },
      { key: 'e2', value: { region: 'us', amount: 2 } },
      { key: 'e3', value: { region: 'eu', amount: 3 } },
    ])
    expect((await driver.output('events-eu', events).readKeyValues()).map(([key]) => key)).toEqual(['e1', 'e3'])
    expect((await driver.output('events-us', events).readKeyValues()).map(([key]) => key)).toEqual(['e2'])
  })

  test('serializes keys and values with the serdes given', async () => {
    const driver = await start((app) => {
      app
        .stream('events', events)
        .pipe(mapValues((event) => event.amount))
        .to('amounts', { key: serdes.string(), value: serdes.int32() })
    })
    await driver.input('events', events).send({ region: 'eu', amount: 258 }, { key: 'é1' })
    const [raw] = await driver.output('amounts').readAll()
    expect(raw?.key).toEqual(Buffer.from('é1', 'utf8'))
    expect(raw?.value).toEqual(Buffer.from([0, 0, 1, 2])) // int32, big-endian
  })

  test('writes bytes and strings as they are when no serde is given', async () => {
    const driver = await start((app) => {
      app.stream('raw').to('raw-copy')
      app
        .stream('events', events)
        .pipe(mapValues((event) => event.region))
        .to('regions')
    })
    await driver.input('raw').send(Buffer.from([1, 2, 3]), { key: Buffer.from('k') })
    await driver.input('events', events).send({ region: 'eu', amount: 1 }, { key: 'e1' })
    expect(await driver.output('raw-copy').readKeyValues()).toEqual([[Buffer.from('k'), Buffer.from([1, 2, 3])]])
    expect(await driver.output('regions').readKeyValues()).toEqual([[Buffer.from('e1'), Buffer.from('eu')]])
  })

  test('writes a null value as a tombstone with a nullable serde', async () => {
    const driver = await start((app) => {
      app
        .stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(mapValues((value) => (value === 'delete' ? null : value)))
        .to('table', { key: serdes.string(), value: serdes.nullable(serdes.string()) })
    })
    await driver.input('in', { key: serdes.string(), value: serdes.string() }).sendAll([
      { key: 'k', value: 'v1' },
      { key: 'k', value: 'delete' },
    ])
    const out = await driver.output('table', { key: serdes.string() }).readKeyValues()
    expect(out).toEqual([
      ['k', Buffer.from('v1')],
      ['k', null],
    ])
  })
})
