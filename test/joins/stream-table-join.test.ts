import { describe, expect, test } from 'vitest'
import { ConfigError, rocksdbStores, serdes, type App, type Stream, type TestDriver } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'
import { joinSender, nullableStrings, SECOND } from './helpers.js'
import { tempDirPerTest } from '../runtime/helpers.js'

const output = { key: serdes.string(), value: serdes.string() }
const joiner = (value: string, tableValue: string | null): string => `[${value}, ${tableValue}]`

/**
 * The table "Semantics of stream-table joins" of the Apache Kafka 4.0 documentation, Streams
 * Developer Guide, DSL API, section "Joining" > "KStream-KTable Join"
 * (docs/streams/developer-guide/dsl-api.html, apache/kafka@1eb7644): one key, records processed
 * in timestamp order. `value` null is a stream record with a null value, or a tombstone of the
 * table; the columns list what the joiner is called with.
 */
const STREAM_TABLE_SEMANTICS: readonly { at: number; side: 'stream' | 'table'; value: string | null; inner: string[]; left: string[] }[] = [
  { at: 1, side: 'stream', value: null, inner: [], left: [] },
  { at: 2, side: 'table', value: null, inner: [], left: [] },
  { at: 3, side: 'stream', value: 'A', inner: [], left: ['[A, null]'] },
  { at: 4, side: 'table', value: 'a', inner: [], left: [] },
  { at: 5, side: 'stream', value: 'B', inner: ['[B, a]'], left: ['[B, a]'] },
  { at: 6, side: 'table', value: 'b', inner: [], left: [] },
  { at: 7, side: 'stream', value: null, inner: [], left: [] },
  { at: 8, side: 'table', value: null, inner: [], left: [] },
  { at: 9, side: 'stream', value: 'C', inner: [], left: ['[C, null]'] },
  { at: 10, side: 'table', value: 'c', inner: [], left: [] },
  { at: 11, side: 'table', value: null, inner: [], left: [] },
  { at: 12, side: 'stream', value: null, inner: [], left: [] },
  { at: 13, side: 'table', value: null, inner: [], left: [] },
  { at: 14, side: 'table', value: 'd', inner: [], left: [] },
  { at: 15, side: 'stream', value: 'D', inner: ['[D, d]'], left: ['[D, d]'] },
]

function joinApp(kind: 'inner' | 'left'): (app: App) => void {
  return (app) => {
    const stream: Stream<string, string | null> = app.stream('stream', nullableStrings)
    const table = app.table('table', { key: serdes.string(), value: serdes.string() })
    const joined = kind === 'inner' ? stream.join(table, joiner) : stream.leftJoin(table, joiner)
    joined.to('joined', output)
  }
}

const sender = (driver: TestDriver) => joinSender<'stream' | 'table', string>(driver, output)

describe('stream-table join: the documented semantics (Kafka 4.0 docs, DSL API, Joining, "Semantics of stream-table joins")', () => {
  // Registered first, so the directories go after the drivers have closed.
  const tempDir = tempDirPerTest('joins')
  const start = driverPerTest()
  const backends = { memory: () => ({}), rocksdb: () => ({ stores: rocksdbStores(), stateDir: tempDir() }) }

  for (const [backend, stores] of Object.entries(backends)) for (const kind of ['inner', 'left'] as const) {
    test(`${kind} join emits what the ${kind.toUpperCase()} JOIN column lists, row by row (${backend} stores)`, async () => {
      const send = sender(await start(joinApp(kind), { cacheMaxBytes: 0, ...stores() }))
      for (const row of STREAM_TABLE_SEMANTICS) {
        expect({ at: row.at, emitted: await send(row.side, row.value, row.at) }).toEqual({ at: row.at, emitted: row[kind] })
      }
    })
  }
})

describe('stream-table join', () => {
  const tempDir = tempDirPerTest('joins')
  const start = driverPerTest()

  test("a joined record keeps the stream record's key and timestamp, and sees the table as it is when it arrives", async () => {
    const driver = await start(joinApp('inner'))
    await driver.input('table', nullableStrings).send('gold', { key: 'u1', timestamp: 50 * SECOND })
    await driver.input('stream', nullableStrings).send('click', { key: 'u1', timestamp: 10 * SECOND })
    await driver.input('table', nullableStrings).send('silver', { key: 'u1', timestamp: 60 * SECOND })
    await driver.input('stream', nullableStrings).send('buy', { key: 'u1', timestamp: 70 * SECOND })
    const records = await driver.output('joined', output).readAll()
    expect(records.map((record) => [record.key, record.value, record.timestamp])).toEqual([
      ['u1', '[click, gold]', 10 * SECOND],
      ['u1', '[buy, silver]', 70 * SECOND],
    ])
  })

  for (const [kind, expected] of [['inner', ['[before, gold]']], ['left', ['[before, gold]', '[after, null]']]] as const) {
    test(`a tombstone deletes the key from the table: the ${kind} join then finds no value for it`, async () => {
      const send = sender(await start(joinApp(kind), { cacheMaxBytes: 0 }))
      const emitted = [...(await send('table', 'gold', 1)), ...(await send('stream', 'before', 2)), ...(await send('table', null, 3)), ...(await send('stream', 'after', 4))]
      expect(emitted).toEqual(expected)
    })
  }

  test('on RocksDB, a stream record sees a table update taken just before it in the same batch (the upsert does not wait for a read)', async () => {
    const driver = await start(joinApp('inner'), { cacheMaxBytes: 0, stores: rocksdbStores(), stateDir: tempDir() })
    const send = sender(driver)
    await send('table', 'a', 1)
    const producer = driver.log.producer()
    const record = (topic: string, value: string, seconds: number) => ({ topic, key: Buffer.from('k'), value: Buffer.from(value), timestamp: seconds * SECOND })
    await producer.send([record('table', 'b', 2), record('stream', 'B', 3)])
    await driver.settle()
    expect(await driver.output('joined', output).readValues()).toEqual(['[B, b]'])
  })

  test('the table must be materialized: joining an unnamed mapValues is refused, naming the fix', async () => {
    await expect(start((app) => {
      const table = app.table('table', { key: serdes.string(), value: serdes.string() }).mapValues((value) => value.toUpperCase())
      app.stream('stream', output).join(table, joiner)
    })).rejects.toThrow(ConfigError)
    await expect(start((app) => {
      const table = app.table('table', { key: serdes.string(), value: serdes.string() }).mapValues((value) => value.toUpperCase())
      app.stream('stream', output).join(table, joiner)
    })).rejects.toThrow('join: the table is not materialized')
  })

  test('a named mapValues of a table is materialized and can be joined', async () => {
    const driver = await start((app) => {
      const table = app.table('table', { key: serdes.string(), value: serdes.string() }).mapValues((value) => value.toUpperCase(), { name: 'upper', key: serdes.string(), value: serdes.string() })
      app.stream('stream', output).join(table, joiner).to('joined', output)
    }, { cacheMaxBytes: 0 })
    const send = sender(driver)
    await send('table', 'gold', 1)
    expect(await send('stream', 'click', 2)).toEqual(['[click, GOLD]'])
  })

  test('stream records with a null key or value are skipped, in a left join too', async () => {
    const driver = await start((app) => {
      const table = app.table('table', { key: serdes.string(), value: serdes.string() })
      app.stream('stream', { key: serdes.nullable(serdes.string()), value: serdes.nullable(serdes.string()) }).leftJoin(table, joiner).to('joined', output)
    }, { cacheMaxBytes: 0 })
    const stream = driver.input('stream', { key: serdes.nullable(serdes.string()), value: serdes.nullable(serdes.string()) })
    await stream.sendAll([{ key: null, value: 'no key' }, { key: 'k', value: null }, { key: 'k', value: 'kept' }])
    expect(await driver.output('joined', output).readValues()).toEqual(['[kept, null]'])
  })

  test('the table must have the key type of the stream (checked by the compiler)', () => {
    const declare = (app: App): void => {
      const byNumber = app.table('table', { key: serdes.float64(), value: serdes.string() })
      // @ts-expect-error a table keyed by numbers cannot join a stream keyed by strings
      app.stream('stream', output).join(byNumber, joiner)
    }
    expect(declare).toBeTypeOf('function')
  })
})
