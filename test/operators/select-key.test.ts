import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { selectKey } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

describe('selectKey', () => {
  const start = driverPerTest()

  test('gives each record the key computed from its value and keeps the value', async () => {
    const driver = await start((app) => {
      app
        .stream('users', { value: serdes.json<{ email: string; name: string }>() })
        .pipe(selectKey((user) => user.email.split('@')[1] ?? ''))
        .to('users-by-domain', { key: serdes.string(), value: serdes.json<{ email: string; name: string }>() })
    })
    await driver.input('users', { value: serdes.json<{ email: string; name: string }>() }).sendAll([
      { value: { email: 'ann@a.org', name: 'Ann' } },
      { value: { email: 'bob@b.net', name: 'Bob' } },
    ])
    expect(await driver.output('users-by-domain', { key: serdes.string(), value: serdes.json<{ email: string; name: string }>() }).readKeyValues()).toEqual([
      ['a.org', { email: 'ann@a.org', name: 'Ann' }],
      ['b.net', { email: 'bob@b.net', name: 'Bob' }],
    ])
  })

  test('writes the new key to the partition the key hashes to', async () => {
    const driver = await start(
      (app) => {
        app.stream('in', { value: serdes.string() }).pipe(selectKey((value) => value)).to('out', { key: serdes.string(), value: serdes.string() })
      },
      { partitions: { out: 4 } },
    )
    const values = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
    await driver.input('in', { value: serdes.string() }).sendAll(values.map((value) => ({ value })))
    const out = await driver.output('out', { key: serdes.string(), value: serdes.string() }).readAll()
    expect(out.map((record) => record.value).sort()).toEqual(values)
    // The same key lands on the same partition however often it is written.
    await driver.input('in', { value: serdes.string() }).sendAll(values.map((value) => ({ value })))
    const again = await driver.output('out', { key: serdes.string(), value: serdes.string() }).readAll()
    const partitionOf = new Map(out.map((record) => [record.key, record.partition]))
    for (const record of again) expect(record.partition).toBe(partitionOf.get(record.key))
    expect(new Set(out.map((record) => record.partition)).size).toBeGreaterThan(1)
  })
})
