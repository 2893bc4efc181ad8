import { describe, expect, test } from 'vitest'
import { serdes, TopologyError, type App } from '../../index.js'
import { joinWindow, repartition } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'

const strings = { key: serdes.string(), value: serdes.string() }
const options = { name: 'orders-payments', key: serdes.string(), value: serdes.string(), otherValue: serdes.string() }
const joiner = (order: string, payment: string | null): string => `${order}+${payment}`

describe('co-partitioning of join inputs', () => {
  const start = driverPerTest()

  test('a stream-stream join of topics with different partition counts is refused at start, naming both topics and their counts', async () => {
    const error: unknown = await start((app) => {
      app.stream('orders', strings).join(app.stream('payments', strings), joiner, joinWindow('1m'), options).to('paid', strings)
    }, { partitions: { orders: 3, payments: 2 } }).catch((failure: unknown) => failure)
    expect(error).toBeInstanceOf(TopologyError)
    expect((error as TopologyError).message).toContain('join(orders-payments, joinWindow(1m)) needs co-partitioned inputs')
    expect((error as TopologyError).message).toContain('(left: orders (3 partitions); right: payments (2 partitions))')
  })

  test('a stream-table join of topics with different partition counts is refused too', async () => {
    await expect(start((app) => {
      app.stream('orders', strings).leftJoin(app.table('customers', strings), joiner).to('enriched', strings)
    }, { partitions: { orders: 4, customers: 1 } })).rejects.toThrow('leftJoin(table customers) needs co-partitioned inputs')
  })

  test('a table-table join of topics with different partition counts is refused too', async () => {
    await expect(start((app) => {
      app.table('users', strings).join(app.table('plans', strings), joiner)
    }, { partitions: { users: 2, plans: 3 } })).rejects.toThrow(/users \(2 partitions\).*plans \(3 partitions\)/)
  })

  test('repartition() before the join makes an internal topic as wide as the other side, and records of a key meet', async () => {
    const setup = (app: App): void => {
      const orders = app.stream('orders', strings).pipe(repartition({ name: 'orders-by-key', key: serdes.string(), value: serdes.string() }))
      orders.join(app.stream('payments', strings), joiner, joinWindow('1m'), options).to('paid', strings)
    }
    const driver = await start(setup, { partitions: { orders: 2, payments: 3 }, cacheMaxBytes: 0 })
    expect((await driver.log.describeTopic('test-app-orders-by-key-repartition')).partitions).toHaveLength(3)
    const keys = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6']
    await driver.input('orders', strings).sendAll(keys.map((key) => ({ key, value: `order-${key}`, timestamp: 1_000 })))
    await driver.input('payments', strings).sendAll(keys.map((key) => ({ key, value: `payment-${key}`, timestamp: 2_000 })))
    const paid = await driver.output('paid', strings).readKeyValues()
    expect(paid.sort()).toEqual(keys.map((key) => [key, `order-${key}+payment-${key}`]))
  })

  test('a repartition with an explicit count other than the other side is refused', async () => {
    await expect(start((app) => {
      const orders = app.stream('orders', strings).pipe(repartition({ name: 'orders-by-key', partitions: 2 }))
      orders.join(app.stream('payments', strings), joiner, joinWindow('1m'), options)
    }, { partitions: { orders: 2, payments: 3 } })).rejects.toThrow('test-app-orders-by-key-repartition (2 partitions); right: payments (3 partitions)')
  })

  test('describe() shows the join reading both inputs and its stores', async () => {
    const driver = await start((app) => {
      app.stream('orders', strings).leftJoin(app.stream('payments', strings), joiner, joinWindow('1m', { grace: '10s' }), options).to('paid', strings)
    })
    const { text } = driver.app.describe()
    expect(text).toContain('Processor n2: leftJoin(orders-payments, joinWindow(1m, grace 10s)) (from n0, n1)')
    expect(text).toContain('Store: orders-payments-left (window, key string, value list(string))')
    expect(text).toContain('Store: orders-payments-unmatched (key-value, key unmatched(string), value unmatched(string, string))')
  })
})
