import { describe, expect, test } from 'vitest'
import { ConfigError, rocksdbStores, serdes, type App, type Table, type TestDriver } from '../../index.js'
import { tumbling } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'
import { joinSender } from './helpers.js'
import { tempDirPerTest } from '../runtime/helpers.js'

type Kind = 'inner' | 'left' | 'outer'

const updates = { key: serdes.string(), value: serdes.nullable(serdes.string()) }
const joiner = (left: string | null, right: string | null): string => `[${left}, ${right}]`

/**
 * The table "Semantics of table-table equi-joins" of the Apache Kafka 4.0 documentation, Streams
 * Developer Guide, DSL API, section "Joining" > "KTable-KTable Equi-Join"
 * (docs/streams/developer-guide/dsl-api.html, apache/kafka@1eb7644): one key, records processed
 * in timestamp order. An input `null` is a tombstone; an output `null` is the tombstone the
 * join emits (the key left the result).
 */
const TABLE_TABLE_SEMANTICS: readonly { at: number; side: 'left' | 'right'; value: string | null; inner: (string | null)[]; left: (string | null)[]; outer: (string | null)[] }[] = [
  { at: 1, side: 'left', value: null, inner: [], left: [], outer: [] },
  { at: 2, side: 'right', value: null, inner: [], left: [], outer: [] },
  { at: 3, side: 'left', value: 'A', inner: [], left: ['[A, null]'], outer: ['[A, null]'] },
  { at: 4, side: 'right', value: 'a', inner: ['[A, a]'], left: ['[A, a]'], outer: ['[A, a]'] },
  { at: 5, side: 'left', value: 'B', inner: ['[B, a]'], left: ['[B, a]'], outer: ['[B, a]'] },
  { at: 6, side: 'right', value: 'b', inner: ['[B, b]'], left: ['[B, b]'], outer: ['[B, b]'] },
  { at: 7, side: 'left', value: null, inner: [null], left: [null], outer: ['[null, b]'] },
  { at: 8, side: 'right', value: null, inner: [], left: [], outer: [null] },
  { at: 9, side: 'left', value: 'C', inner: [], left: ['[C, null]'], outer: ['[C, null]'] },
  { at: 10, side: 'right', value: 'c', inner: ['[C, c]'], left: ['[C, c]'], outer: ['[C, c]'] },
  { at: 11, side: 'right', value: null, inner: [null], left: ['[C, null]'], outer: ['[C, null]'] },
  { at: 12, side: 'left', value: null, inner: [], left: [null], outer: [null] },
  { at: 13, side: 'right', value: null, inner: [], left: [], outer: [] },
  { at: 14, side: 'right', value: 'd', inner: [], left: [], outer: ['[null, d]'] },
  { at: 15, side: 'left', value: 'D', inner: ['[D, d]'], left: ['[D, d]'], outer: ['[D, d]'] },
]

function join(kind: Kind, left: Table<string, string>, right: Table<string, string>, name?: string): Table<string, string> {
  const store = name === undefined ? undefined : { name, key: serdes.string(), value: serdes.string() }
  if (kind === 'inner') return left.join(right, joiner, store)
  if (kind === 'left') return left.leftJoin(right, joiner, store)
  return left.outerJoin(right, joiner, store)
}

function joinApp(kind: Kind, name?: string): (app: App) => void {
  return (app) => {
    const left = app.table('left', { key: serdes.string(), value: serdes.string() })
    const right = app.table('right', { key: serdes.string(), value: serdes.string() })
    join(kind, left, right, name).toStream().to('joined', updates)
  }
}

const sender = (driver: TestDriver) => joinSender<'left' | 'right', string | null>(driver, updates)

describe('table-table join: the documented semantics (Kafka 4.0 docs, DSL API, Joining, "Semantics of table-table equi-joins")', () => {
  // Registered first, so the directories go after the drivers have closed.
  const tempDir = tempDirPerTest('joins')
  const start = driverPerTest()
  const backends = { memory: () => ({}), rocksdb: () => ({ stores: rocksdbStores(), stateDir: tempDir() }) }

  for (const [backend, stores] of Object.entries(backends)) for (const kind of ['inner', 'left', 'outer'] as const) {
    test(`${kind} join emits what the ${kind.toUpperCase()} JOIN column lists, row by row (${backend} stores)`, async () => {
      const send = sender(await start(joinApp(kind), { cacheMaxBytes: 0, ...stores() }))
      for (const row of TABLE_TABLE_SEMANTICS) {
        expect({ at: row.at, emitted: await send(row.side, row.value, row.at) }).toEqual({ at: row.at, emitted: row[kind] })
      }
    })

    test(`${kind} join materialized with a name emits the same, and its store holds the result`, async () => {
      const driver = await start(joinApp(kind, 'joined'), { cacheMaxBytes: 0 })
      const send = sender(driver)
      for (const row of TABLE_TABLE_SEMANTICS) expect({ at: row.at, emitted: await send(row.side, row.value, row.at) }).toEqual({ at: row.at, emitted: row[kind] })
      expect(await driver.store<string, string>('joined').get('k')).toBe('[D, d]')
    })
  }
})

describe('table-table join', () => {
  const start = driverPerTest()

  test('a tombstone on either side deletes a joined key from an inner join result: a tombstone goes downstream and the store forgets it', async () => {
    const driver = await start(joinApp('inner', 'joined'), { cacheMaxBytes: 0 })
    const send = sender(driver)
    const store = driver.store<string, string>('joined')
    expect(await send('left', 'A', 1, 'k1')).toEqual([])
    expect(await send('right', 'a', 2, 'k1')).toEqual(['[A, a]'])
    expect(await send('left', 'B', 3, 'k2')).toEqual([])
    expect(await send('right', 'b', 4, 'k2')).toEqual(['[B, b]'])
    expect(await send('left', null, 5, 'k1')).toEqual([null])
    expect(await send('right', null, 6, 'k2')).toEqual([null])
    expect(await store.get('k1')).toBeUndefined()
    expect(await store.get('k2')).toBeUndefined()
    expect(await send('right', null, 7, 'k1')).toEqual([]) // k1 left the result already
    expect(await send('right', 'a2', 8, 'k1')).toEqual([]) // and has no left value to join
  })

  test('keys join only with the same key', async () => {
    const send = sender(await start(joinApp('outer'), { cacheMaxBytes: 0 }))
    expect(await send('left', 'A', 1, 'k1')).toEqual(['[A, null]'])
    expect(await send('right', 'b', 2, 'k2')).toEqual(['[null, b]'])
    expect(await send('right', 'a', 3, 'k1')).toEqual(['[A, a]'])
  })

  test('both tables must be materialized', async () => {
    await expect(start((app) => {
      const left = app.table('left', { key: serdes.string(), value: serdes.string() })
      const right = app.table('right', { key: serdes.string(), value: serdes.string() }).filter((value) => value.length > 1)
      left.join(right, joiner)
    })).rejects.toThrow(ConfigError)
  })

  test('a windowed table cannot be joined', async () => {
    await expect(start((app) => {
      const perMinute = app.stream('clicks', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).windowedBy(tumbling('1m')).count({ name: 'per-minute' })
      perMinute.join(perMinute, (a, b) => a + b)
    })).rejects.toThrow('join: the table in store per-minute is windowed')
  })
})
