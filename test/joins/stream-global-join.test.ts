import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { App, rocksdbStores, serdes, type TestDriver } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'
import { readTopic, tempDirPerTest, waitUntil, withLog } from '../runtime/helpers.js'

interface Order {
  readonly product: string | null
  readonly quantity: number
}

const orders = { key: serdes.string(), value: serdes.json<Order>() }
const products = { key: serdes.string(), value: serdes.nullable(serdes.string()) }
const priced = { key: serdes.string(), value: serdes.string() }

function globalJoinApp(kind: 'inner' | 'left'): (app: App) => void {
  return (app) => {
    const names = app.globalTable('products', { key: serdes.string(), value: serdes.string(), name: 'product-names' })
    const stream = app.stream('orders', orders)
    const joined = kind === 'inner'
      ? stream.join(names, (_id, order) => order.product, (order, name) => `${order.quantity} × ${name}`)
      : stream.leftJoin(names, (_id, order) => order.product, (order, name) => `${order.quantity} × ${name ?? '?'}`)
    joined.to('priced', priced)
  }
}

function sender(driver: TestDriver): { order: (id: string, order: Order) => Promise<string[]>; product: (id: string, name: string | null, partition?: number) => Promise<void> } {
  const out = driver.output('priced', priced)
  return {
    order: async (id, order) => {
      await driver.input('orders', orders).send(order, { key: id, timestamp: 1 })
      return out.readValues()
    },
    product: (id, name, partition) => driver.input('products', products).send(name, { key: id, timestamp: 1, ...(partition === undefined ? {} : { partition }) }),
  }
}

describe('stream-global table join (Kafka Streams KStream-GlobalKTable)', () => {
  const tempDir = tempDirPerTest('global-join')
  const start = driverPerTest()

  test('inner: a record joins the value of the key it extracts; none found, or a null key, emits nothing', async () => {
    const send = sender(await start(globalJoinApp('inner')))
    await send.product('p1', 'pencil')
    expect(await send.order('o1', { product: 'p1', quantity: 2 })).toEqual(['2 × pencil'])
    expect(await send.order('o2', { product: 'p2', quantity: 1 })).toEqual([])
    expect(await send.order('o3', { product: null, quantity: 1 })).toEqual([])
  })

  test('left: a record that finds nothing is joined with null', async () => {
    const send = sender(await start(globalJoinApp('left')))
    expect(await send.order('o1', { product: 'p1', quantity: 2 })).toEqual(['2 × ?'])
    expect(await send.order('o2', { product: null, quantity: 3 })).toEqual(['3 × ?'])
  })

  test('updates and tombstones of the global topic change what later records find, and emit nothing themselves', async () => {
    const send = sender(await start(globalJoinApp('left')))
    await send.product('p1', 'pencil')
    expect(await send.order('o1', { product: 'p1', quantity: 1 })).toEqual(['1 × pencil'])
    await send.product('p1', 'red pencil')
    expect(await send.order('o2', { product: 'p1', quantity: 1 })).toEqual(['1 × red pencil'])
    await send.product('p1', null)
    expect(await send.order('o3', { product: 'p1', quantity: 1 })).toEqual(['1 × ?'])
  })

  test('every task sees every partition of the global topic: no co-partitioning, whatever the partition counts', async () => {
    const driver = await start(globalJoinApp('inner'), { partitions: { orders: 3, products: 2 } })
    const send = sender(driver)
    await send.product('p1', 'pencil', 0)
    await send.product('p2', 'eraser', 1)
    const input = driver.input('orders', orders)
    for (let partition = 0; partition < 3; partition++) {
      await input.send({ product: 'p1', quantity: partition }, { key: `a${partition}`, partition, timestamp: 1 })
      await input.send({ product: 'p2', quantity: partition }, { key: `b${partition}`, partition, timestamp: 1 })
    }
    expect((await driver.output('priced', priced).readValues()).sort()).toEqual(['0 × eraser', '0 × pencil', '1 × eraser', '1 × pencil', '2 × eraser', '2 × pencil'])
  })

  test('the global store is queryable with app.store(name)', async () => {
    const driver = await start(globalJoinApp('inner'), { partitions: { products: 2 } })
    const send = sender(driver)
    await send.product('p1', 'pencil', 0)
    await send.product('p2', 'eraser', 1)
    const store = driver.store<string, string>('product-names')
    expect(await store.get('p1')).toBe('pencil')
    expect(await store.get('p2')).toBe('eraser')
  })

  test('a global store is filled from its topic before the first record, and after a clean stop resumes from its checkpoint (RocksDB)', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      await log.createTopic('products', { partitions: 2, cleanup: 'compact' })
      await log.createTopic('orders', { partitions: 1 })
      await log.createTopic('priced', { partitions: 1 })
      const producer = log.producer()
      const send = (topic: string, key: string, value: string | null): Promise<unknown> =>
        producer.send([{ topic, key: Buffer.from(key), value: value === null ? null : Buffer.from(value) }])
      const order = (id: string, product: string): Promise<unknown> => send('orders', id, JSON.stringify({ product, quantity: 1 }))
      const pricedValues = async (): Promise<string[]> => (await readTopic(log, 'priced')).map((record) => record.value!.toString())
      const run = async (orderIds: readonly [string, string][], results: number): Promise<void> => {
        const app = new App({ id: 'global-restart', log, stores: rocksdbStores(), stateDir, handleSignals: false, commitIntervalMs: 10 })
        globalJoinApp('left')(app)
        await app.start()
        for (const [id, product] of orderIds) await order(id, product)
        await waitUntil(async () => (await pricedValues()).length >= results, `${results} priced orders`)
        await app.stop()
      }

      await send('products', 'p1', 'pencil')
      await send('products', 'p2', 'eraser')
      await send('products', 'p3', 'ruler')
      // The first order finds its product: the store was filled before the app took a record.
      await run([['o1', 'p1']], 1)
      const storeDir = path.join(stateDir, 'global-restart', 'global', 'product-names')
      const ends = (await log.describeTopic('products')).partitions.map((partition) => partition.endOffset)
      expect(JSON.parse(fs.readFileSync(path.join(storeDir, '.checkpoint'), 'utf8'))).toEqual({ offsets: ends })

      await send('products', 'p1', 'blue pencil')
      await send('products', 'p2', null)
      await run([['o2', 'p1'], ['o3', 'p2'], ['o4', 'p3']], 4)
      expect(await pricedValues()).toEqual(['1 × pencil', '1 × blue pencil', '1 × ?', '1 × ruler'])
    })
  })
})

describe('a global table in the topology description', () => {
  test('describe() lists the global table with its topic, and the join that reads it', () => {
    const app = new App({ id: 'describe-global', log: { open: () => Promise.reject(new Error('not started')) }, handleSignals: false })
    globalJoinApp('inner')(app)
    const { text, mermaid } = app.describe()
    expect(text).toContain('Global table product-names: topic products (key string, value string)')
    expect(text).toContain('join(global table product-names)')
    expect(text).toContain('    Global store: product-names')
    expect(mermaid).toContain('g_product_names[("product-names (global, products)")]')
  })
})
