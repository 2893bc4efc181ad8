import { describe, expect, test } from 'vitest'
import { InMemorySchemaRegistry, serdes, type AnySerde } from '../../index.js'
import { FetchingRegistry } from '../serde/helpers.js'
import { driverPerTest } from '../operators/helpers.js'

describe('serdes through an app', () => {
  const start = driverPerTest()

  const roundTrips: readonly { name: string; serde: () => AnySerde<unknown>; values: readonly unknown[] }[] = [
    { name: 'string', serde: serdes.string, values: ['', 'héllo', '😀 emoji'] },
    { name: 'json', serde: serdes.json, values: [{ a: 1, b: [true, null] }, 'text', 42] },
    { name: 'bytes', serde: serdes.bytes, values: [Buffer.from([0, 255, 7]), Buffer.alloc(0)] },
    { name: 'int32', serde: serdes.int32, values: [0, -1, 2_147_483_647] },
    { name: 'int64', serde: serdes.int64, values: [0n, -9_223_372_036_854_775_808n, 9_007_199_254_740_993n] },
    { name: 'float64', serde: serdes.float64, values: [0.5, -1e300, Number.NaN] },
    { name: 'nullable(string)', serde: () => serdes.nullable(serdes.string()), values: ['x', null] },
    {
      name: 'avro',
      serde: ((registry) => () => serdes.avro({ schema: { type: 'record', name: 'P', fields: [{ name: 'n', type: 'long' }] }, registry }))(new InMemorySchemaRegistry()),
      values: [{ n: 1 }, { n: -5 }],
    },
  ]

  test.each(roundTrips)('$name: what goes in comes out unchanged', async ({ serde, values }) => {
    const driver = await start((app) => {
      app.stream('in', { key: serdes.string(), value: serde() }).to('out', { key: serdes.string(), value: serde() })
    })
    await driver.input('in', { key: serdes.string(), value: serde() }).sendAll(values.map((value, i) => ({ key: `k${i}`, value })))
    const out = await driver.output('out', { key: serdes.string(), value: serde() }).readValues()
    expect(out).toEqual(values)
  })

  describe('Avro schema evolution', () => {
    const v1 = {
      type: 'record',
      name: 'Order',
      namespace: 'com.acme',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'total', type: 'double' },
        { name: 'note', type: 'string' },
      ],
    }
    // v2 drops `note` and adds `currency` with a default: a backward-compatible change.
    const v2 = {
      type: 'record',
      name: 'Order',
      namespace: 'com.acme',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'total', type: 'double' },
        { name: 'currency', type: 'string', default: 'EUR' },
      ],
    }
    interface OrderV1 { id: string; total: number; note: string }
    interface OrderV2 { id: string; total: number; currency: string }

    test('an app reading with v2 reads what a producer wrote with v1 (and with v2)', async () => {
      const registry = new InMemorySchemaRegistry()
      const driver = await start((app) => {
        app
          .stream('orders', { key: serdes.string(), value: serdes.avro<OrderV2>({ schema: v2, registry }) })
          .to('orders-v2', { key: serdes.string(), value: serdes.json<OrderV2>() })
      })
      await driver
        .input('orders', { key: serdes.string(), value: serdes.avro<OrderV1>({ schema: v1, registry }) })
        .send({ id: 'o1', total: 9.5, note: 'gift' }, { key: 'o1' })
      await driver
        .input('orders', { key: serdes.string(), value: serdes.avro<OrderV2>({ schema: v2, registry }) })
        .send({ id: 'o2', total: 3, currency: 'USD' }, { key: 'o2' })
      expect(await driver.output('orders-v2', { key: serdes.string(), value: serdes.json<OrderV2>() }).readValues()).toEqual([
        { id: 'o1', total: 9.5, currency: 'EUR' },
        { id: 'o2', total: 3, currency: 'USD' },
      ])
      expect(registry.latest('orders-value')?.version).toBe(2)
    })

    test('readerSchema reads into v2 while the same serde writes v1; a v2 sink writes v2', async () => {
      const registry = new InMemorySchemaRegistry()
      const driver = await start((app) => {
        app
          .stream('orders', { value: serdes.avro<OrderV2>({ schema: v1, readerSchema: v2, registry }) })
          .to('orders-v2', { value: serdes.avro<OrderV2>({ schema: v2, registry }) })
      })
      await driver.input('orders', { value: serdes.avro<OrderV1>({ schema: v1, registry }) }).send({ id: 'o1', total: 1, note: 'n' })
      const [written] = await driver.output('orders-v2').readValues()
      // Framed with the id v2 got under the sink topic's subject (TopicNameStrategy).
      expect(written?.readUInt32BE(1)).toBe(registry.latest('orders-v2-value')?.id)
      const reader = serdes.avro<OrderV2>({ schema: v2, registry })
      expect(reader.deserialize(written!, { topic: 'orders-v2', isKey: false })).toEqual({ id: 'o1', total: 1, currency: 'EUR' })
    })

    test('a v1 reader skips the field a v2 writer added and cannot fill the one it dropped', async () => {
      const registry = new InMemorySchemaRegistry()
      const driver = await start(
        (app) => {
          app.stream('orders', { value: serdes.avro<OrderV1>({ schema: v1, registry }) }).to('out', { value: serdes.json<OrderV1>() })
        },
        { onDeserializationError: 'skip' },
      )
      await driver.input('orders', { value: serdes.avro<OrderV2>({ schema: v2, registry }) }).send({ id: 'o1', total: 1, currency: 'USD' })
      // v1's `note` has no default, so v2 data cannot be read as v1: a deserialization error, skipped here.
      expect(await driver.output('out', { value: serdes.json<OrderV1>() }).readValues()).toEqual([])
      expect(driver.metrics().skipped).toBe(1)
    })

    test("the runtime awaits a serde's prepare, so a writer schema is fetched once before records are read", async () => {
      const remote = new InMemorySchemaRegistry()
      const fetching = new FetchingRegistry(remote)
      const driver = await start((app) => {
        app.stream('orders', { value: serdes.avro<OrderV2>({ schema: v2, registry: fetching }) }).to('out', { value: serdes.json<OrderV2>() })
      })
      await driver.input('orders', { value: serdes.avro<OrderV1>({ schema: v1, registry: remote }) }).sendAll([
        { value: { id: 'o1', total: 1, note: 'a' } },
        { value: { id: 'o2', total: 2, note: 'b' } },
      ])
      expect(await driver.output('out', { value: serdes.json<OrderV2>() }).readValues()).toEqual([
        { id: 'o1', total: 1, currency: 'EUR' },
        { id: 'o2', total: 2, currency: 'EUR' },
      ])
      expect(fetching.loads).toEqual([remote.latest('orders-value')?.id])
    })
  })
})
