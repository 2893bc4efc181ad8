import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { partitionForKey } from '../../core/log/index.js'
import { mapValues, repartition, selectKey } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

const words = ['apple', 'banana', 'cherry', 'date', 'elder', 'fig', 'grape', 'hazel', 'iris', 'jujube']

describe('repartition', () => {
  const start = driverPerTest()

  test('writes each re-keyed record to the partition of its key in <appId>-<name>-repartition', async () => {
    const driver = await start(
      (app) => {
        app
          .stream('lines', { value: serdes.string() })
          .pipe(selectKey((word) => word), repartition({ name: 'by-word', key: serdes.string(), value: serdes.string() }))
          .to('words', { key: serdes.string(), value: serdes.string() })
      },
      { appId: 'counter', partitions: { lines: 3 } },
    )
    // Every line lands on partition 0 of the input; the key decides the repartition topic's partition.
    await driver.input('lines', { value: serdes.string() }).sendAll(words.map((value) => ({ value, partition: 0 })))
    const internal = await driver.log.describeTopic('counter-by-word-repartition')
    expect(internal.partitions).toHaveLength(3) // as wide as the widest input
    const moved = await driver.output('counter-by-word-repartition', { key: serdes.string(), value: serdes.string() }).readAll()
    expect(moved.map((record) => record.key).sort()).toEqual([...words].sort())
    for (const record of moved) expect(record.partition).toBe(partitionForKey(Buffer.from(record.key), 3))
    expect(new Set(moved.map((record) => record.partition)).size).toBeGreaterThan(1)
  })

  test('feeds the downstream sub-topology, which reads the records back with their new keys', async () => {
    const driver = await start(
      (app) => {
        app
          .stream('lines', { value: serdes.string() })
          .pipe(selectKey((word) => word.length), repartition({ name: 'by-length', partitions: 4 }), mapValues((word, record) => `${record.key}:${word}`))
          .to('by-length', { key: serdes.json<number>(), value: serdes.string() })
      },
      { appId: 'lengths', partitions: { lines: 2, 'by-length': 1 } },
    )
    await driver.input('lines', { value: serdes.string() }).sendAll(words.map((value, i) => ({ value, partition: i % 2 })))
    expect((await driver.log.describeTopic('lengths-by-length-repartition')).partitions).toHaveLength(4)
    // The default serdes of the internal topic are JSON: the key 5 is written as the bytes `5`.
    const moved = await driver.output('lengths-by-length-repartition', { key: serdes.json<number>(), value: serdes.json<string>() }).readAll()
    for (const record of moved) expect(record.partition).toBe(partitionForKey(Buffer.from(JSON.stringify(record.key)), 4))
    const out = await driver.output('by-length', { key: serdes.json<number>(), value: serdes.string() }).readKeyValues()
    expect(out.map(([, value]) => value).sort()).toEqual(words.map((word) => `${word.length}:${word}`).sort())
    for (const [key, value] of out) expect(value.startsWith(`${key}:`)).toBe(true)
  })

  test('numbers unnamed repartition topics in the order they are declared', async () => {
    const driver = await start(
      (app) => {
        app
          .stream('in', { value: serdes.string() })
          .pipe(selectKey((value) => value), repartition(), selectKey((value) => value.toUpperCase()), repartition())
          .to('out', { key: serdes.json<string>(), value: serdes.json<string>() })
      },
      { appId: 'twice' },
    )
    await driver.input('in', { value: serdes.string() }).send('x')
    expect(await driver.output('out', { key: serdes.json<string>(), value: serdes.json<string>() }).readKeyValues()).toEqual([['X', 'x']])
    expect(await driver.output('twice-repartition-0-repartition', { key: serdes.json<string>() }).readAll()).toHaveLength(1)
    expect(await driver.output('twice-repartition-1-repartition', { key: serdes.json<string>() }).readAll()).toHaveLength(1)
    expect(driver.app.describe().text).toMatch(/Sub-topology 2/)
  })
})
