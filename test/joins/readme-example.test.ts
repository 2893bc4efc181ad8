import { describe, expect, test } from 'vitest'
import { serdes, type App } from '../../index.js'
import { joinWindow } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'

interface Customer {
  readonly tier: string
}
interface Order {
  readonly item: string
}
interface PaidOrder extends Order {
  readonly tier: string
  readonly paymentId: string
}

/** The example of the README's "Joins" section, as it is written there. */
function readmeExample(app: App): void {
  const strings = { key: serdes.string(), value: serdes.string() }
  const customers = app.table('customers', { key: serdes.string(), value: serdes.json<Customer>() })
  const orders = app.stream('orders', { key: serdes.string(), value: serdes.json<Order>() })
  orders
    .leftJoin(customers, (order, customer) => ({ ...order, tier: customer?.tier ?? 'new' }))
    .join(app.stream('payments', strings), (order, paymentId) => ({ ...order, paymentId }),
      joinWindow('10m', { grace: '1m' }), { name: 'order-payments', key: serdes.string() })
    .to('paid-orders', { key: serdes.string(), value: serdes.json<PaidOrder>() })
  app.table('emails', strings).outerJoin(app.table('plans', strings), (email, plan) => ({ email, plan }), { name: 'accounts' })
}

describe('the README example of joins', () => {
  const start = driverPerTest()

  test('enriches orders with their customer, pairs them with their payment, and keeps an outer-joined table', async () => {
    const driver = await start(readmeExample, { cacheMaxBytes: 0 })
    await driver.input('customers', { key: serdes.string(), value: serdes.json<Customer>() }).send({ tier: 'gold' }, { key: 'c1' })
    await driver.input('orders', { key: serdes.string(), value: serdes.json<Order>() }).sendAll([{ key: 'c1', value: { item: 'book' } }, { key: 'c2', value: { item: 'pen' } }])
    await driver.input('payments', { key: serdes.string(), value: serdes.string() }).sendAll([{ key: 'c1', value: 'p-1' }, { key: 'c2', value: 'p-2' }])
    expect(await driver.output('paid-orders', { key: serdes.string(), value: serdes.json<PaidOrder>() }).readKeyValues()).toEqual([
      ['c1', { item: 'book', tier: 'gold', paymentId: 'p-1' }],
      ['c2', { item: 'pen', tier: 'new', paymentId: 'p-2' }],
    ])
    await driver.input('plans', { key: serdes.string(), value: serdes.string() }).send('pro', { key: 'u1' })
    expect(await driver.store('accounts').get('u1')).toEqual({ email: null, plan: 'pro' })
  })
})
