import { describe, expect, test } from 'vitest'
import { named, serdes } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'

interface User {
  readonly name: string
  readonly active: boolean
}

const userSerde = serdes.json<User>()
const nullableUsers = serdes.nullable(userSerde)

describe('tables', () => {
  const start = driverPerTest()

  test('app.table keeps the latest value per key, and a tombstone deletes the key and goes downstream', async () => {
    const driver = await start(
      (app) => {
        app.table('users', { key: serdes.string(), value: userSerde }).toStream().to('user-updates', { key: serdes.string(), value: userSerde })
      },
      { cacheMaxBytes: 0 },
    )
    const users = driver.input('users', { key: serdes.string(), value: nullableUsers })
    await users.send({ name: 'Ann', active: true }, { key: 'u1' })
    await users.send({ name: 'Bob', active: false }, { key: 'u2' })
    await users.send({ name: 'Ann B.', active: true }, { key: 'u1' })
    await users.send(null, { key: 'u2' })
    await users.send(null, { key: 'u3' }) // deleting what is not there changes nothing
    const store = driver.store<string, User>('users')
    expect(await store.get('u1')).toEqual({ name: 'Ann B.', active: true })
    expect(await store.get('u2')).toBeUndefined()
    const updates = await driver.output('user-updates', { key: serdes.string(), value: nullableUsers }).readKeyValues()
    expect(updates).toEqual([
      ['u1', { name: 'Ann', active: true }],
      ['u2', { name: 'Bob', active: false }],
      ['u1', { name: 'Ann B.', active: true }],
      ['u2', null],
    ])
  })

  test('with the cache on, a key updated several times between commits goes downstream once, with its last value', async () => {
    const driver = await start((app) => {
      app.table('users', { key: serdes.string(), value: userSerde }).toStream().to('user-updates', { key: serdes.string(), value: userSerde })
    })
    await driver.input('users', { key: serdes.string(), value: nullableUsers }).sendAll([
      { key: 'u1', value: { name: 'A', active: true } },
      { key: 'u1', value: { name: 'B', active: true } },
      { key: 'u2', value: { name: 'C', active: true } },
      { key: 'u2', value: null },
    ])
    expect(await driver.output('user-updates', { key: serdes.string(), value: nullableUsers }).readKeyValues()).toEqual([
      ['u1', { name: 'B', active: true }],
      ['u2', null],
    ])
  })

  test('filter turns an update that fails the predicate into a tombstone; a named filter is materialized', async () => {
    const driver = await start(
      (app) => {
        app.table('users', { key: serdes.string(), value: userSerde })
          .filter((user) => user.active, { name: 'active-users', key: serdes.string(), value: userSerde })
          .toStream()
          .to('active', { key: serdes.string(), value: userSerde })
      },
      { cacheMaxBytes: 0 },
    )
    const users = driver.input('users', { key: serdes.string(), value: nullableUsers })
    await users.send({ name: 'Ann', active: true }, { key: 'u1' })
    await users.send({ name: 'Ann', active: false }, { key: 'u1' })
    await users.send({ name: 'Bob', active: true }, { key: 'u2' })
    expect(await driver.output('active', { key: serdes.string(), value: nullableUsers }).readKeyValues()).toEqual([
      ['u1', { name: 'Ann', active: true }],
      ['u1', null],
      ['u2', { name: 'Bob', active: true }],
    ])
    const active = driver.store<string, User>('active-users')
    expect(await active.get('u1')).toBeUndefined()
    expect(await active.get('u2')).toEqual({ name: 'Bob', active: true })
  })

  test('mapValues maps values and passes tombstones through', async () => {
    const driver = await start(
      (app) => {
        app.table('users', { key: serdes.string(), value: userSerde })
          .mapValues((user) => user.name.toUpperCase())
          .toStream()
          .to('names', { key: serdes.string(), value: serdes.string() })
      },
      { cacheMaxBytes: 0 },
    )
    const users = driver.input('users', { key: serdes.string(), value: nullableUsers })
    await users.send({ name: 'Ann', active: true }, { key: 'u1' })
    await users.send(null, { key: 'u1' })
    expect(await driver.output('names', { key: serdes.string(), value: serdes.nullable(serdes.string()) }).readKeyValues()).toEqual([
      ['u1', 'ANN'],
      ['u1', null],
    ])
  })

  test('stream.toTable materializes a stream of updates, and the table aggregates further', async () => {
    const driver = await start(
      (app) => {
        app.stream('prices', { key: serdes.string(), value: serdes.nullable(serdes.float64()) })
          .toTable({ name: 'prices', key: serdes.string(), value: serdes.float64() })
          .toStream()
          .to('latest-prices', { key: serdes.string(), value: serdes.float64() })
      },
      { cacheMaxBytes: 0 },
    )
    const prices = driver.input('prices', { key: serdes.string(), value: serdes.nullable(serdes.float64()) })
    await prices.sendAll([
      { key: 'apple', value: 1.5 },
      { key: 'pear', value: 2 },
      { key: 'apple', value: 1.75 },
      { key: 'pear', value: null },
    ])
    const store = driver.store<string, number>('prices')
    expect(await store.get('apple')).toBe(1.75)
    expect(await store.get('pear')).toBeUndefined()
    const all: [string, number][] = []
    for await (const { key, value } of store.all()) all.push([key, value])
    expect(all).toEqual([['apple', 1.75]])
  })
})

describe('grouping and aggregation', () => {
  const start = driverPerTest()

  test('groupBy repartitions by the new key through <app>-<store>-repartition, so counts are per new key across input partitions', async () => {
    const driver = await start(
      (app) => {
        app.stream('orders', { key: serdes.string(), value: serdes.json<{ region: string; amount: number }>() })
          .groupBy((order) => order.region, { key: serdes.string(), value: serdes.json<{ region: string; amount: number }>() })
          .count(named('orders-per-region'))
          .toStream()
          .to('region-counts', { key: serdes.string(), value: serdes.float64() })
      },
      { partitions: { orders: 3 }, cacheMaxBytes: 0 },
    )
    const orders = driver.input('orders', { key: serdes.string(), value: serdes.json<{ region: string; amount: number }>() })
    await orders.sendAll(Array.from({ length: 9 }, (_, i) => ({ key: `order-${i}`, value: { region: i % 3 === 0 ? 'eu' : 'us', amount: i } })))
    const counts = await driver.output('region-counts', { key: serdes.string(), value: serdes.float64() }).readKeyValues()
    expect(counts.filter(([region]) => region === 'eu').map(([, n]) => n)).toEqual([1, 2, 3])
    expect(counts.filter(([region]) => region === 'us').map(([, n]) => n)).toEqual([1, 2, 3, 4, 5, 6])
    expect(driver.app.describe().text).toContain('test-app-orders-per-region-repartition')
  })

  test('aggregate folds values from an initializer; reduce combines them; null keys and values are skipped', async () => {
    const driver = await start(
      (app) => {
        const readings = app.stream('readings', { key: serdes.nullable(serdes.string()), value: serdes.nullable(serdes.float64()) })
        readings.groupByKey({ key: serdes.string() })
          .aggregate(() => ({ n: 0, sum: 0 }), (_sensor, value, agg) => ({ n: agg.n + 1, sum: agg.sum + value }), { name: 'stats', key: serdes.string(), value: serdes.json<{ n: number; sum: number }>() })
        readings.groupByKey({ key: serdes.string() }).reduce((a, b) => Math.max(a, b), { name: 'max', key: serdes.string(), value: serdes.float64() })
      },
      { cacheMaxBytes: 0 },
    )
    await driver.input('readings', { key: serdes.nullable(serdes.string()), value: serdes.nullable(serdes.float64()) }).sendAll([
      { key: 's1', value: 3 },
      { key: 's1', value: 5 },
      { key: 's2', value: 1 },
      { key: null, value: 7 },
      { key: 's1', value: null },
      { key: 's1', value: 4 },
    ])
    expect(await driver.store('stats').get('s1')).toEqual({ n: 3, sum: 12 })
    expect(await driver.store('stats').get('s2')).toEqual({ n: 1, sum: 1 })
    expect(await driver.store('max').get('s1')).toBe(5)
  })
})

describe('describe()', () => {
  const start = driverPerTest()

  test('lists each store with its kind and serdes under the processor that owns it', async () => {
    const driver = await start((app) => {
      app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('word-counts'))
    })
    const { text, mermaid } = driver.app.describe()
    expect(text).toContain('Processor n1: count(word-counts) (from n0)\n    Store: word-counts (key-value, key string, value float64)')
    expect(mermaid).toContain('n1 --- s_word_counts[("word-counts")]')
  })
})
