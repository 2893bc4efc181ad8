import { describe, expect, test } from 'vitest'
import { rocksdbStores, serdes, type App, type TestDriver } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'
import { tempDirPerTest } from '../runtime/helpers.js'

interface Account {
  readonly branch: string | null
  readonly balance: number
}

const accounts = { key: serdes.string(), value: serdes.nullable(serdes.json<Account>()) }
const perBranch = { key: serdes.string(), value: serdes.nullable(serdes.float64()) }

/** Regroups the `accounts` table by branch and writes each branch's aggregate to `per-branch`. */
function branchApp(aggregate: 'count' | 'sum' | 'reduce'): (app: App) => void {
  return (app) => {
    const byBranch = app.table('accounts', { key: serdes.string(), value: serdes.json<Account>() })
      .groupBy((_id, account) => [account.branch, account.balance], { key: serdes.string(), value: serdes.float64() })
    const table = aggregate === 'count'
      ? byBranch.count({ name: 'per-branch' })
      : aggregate === 'sum'
        ? byBranch.aggregate(() => 0, (_branch, balance, total) => total + balance, (_branch, balance, total) => total - balance, { name: 'per-branch', value: serdes.float64() })
        : byBranch.reduce((total, balance) => total + balance, (total, balance) => total - balance, { name: 'per-branch', value: serdes.float64() })
    table.toStream().to('per-branch', perBranch)
  }
}

function sender(driver: TestDriver): (id: string, account: Account | null, at: number) => Promise<[string | undefined, number | null][]> {
  const out = driver.output('per-branch', perBranch)
  return async (id, account, at) => {
    await driver.input('accounts', accounts).send(account, { key: id, timestamp: at })
    return out.readKeyValues()
  }
}

describe('table groupBy and its aggregations (Kafka Streams KGroupedTable)', () => {
  const tempDir = tempDirPerTest('grouped-table')
  const start = driverPerTest()
  const backends = { memory: () => ({}), rocksdb: () => ({ stores: rocksdbStores(), stateDir: tempDir() }) }

  for (const [backend, stores] of Object.entries(backends)) {
    test(`count: an entry that moves leaves its old group first, a deleted entry leaves its group (${backend} stores)`, async () => {
      const send = sender(await start(branchApp('count'), { cacheMaxBytes: 0, ...stores() }))
      expect(await send('alice', { branch: 'north', balance: 10 }, 1)).toEqual([['north', 1]])
      expect(await send('bob', { branch: 'north', balance: 20 }, 2)).toEqual([['north', 2]])
      expect(await send('carol', { branch: 'south', balance: 30 }, 3)).toEqual([['south', 1]])
      expect(await send('alice', { branch: 'south', balance: 10 }, 4)).toEqual([['north', 1], ['south', 2]])
      expect(await send('bob', null, 5)).toEqual([['north', 0]])
      expect(await send('bob', null, 6)).toEqual([]) // deleting what is not there changes nothing
    })
  }

  test('aggregate: an update within a group subtracts the old value and adds the new one in one step', async () => {
    const driver = await start(branchApp('sum'), { cacheMaxBytes: 0 })
    const send = sender(driver)
    expect(await send('alice', { branch: 'north', balance: 10 }, 1)).toEqual([['north', 10]])
    expect(await send('bob', { branch: 'north', balance: 20 }, 2)).toEqual([['north', 30]])
    expect(await send('alice', { branch: 'north', balance: 15 }, 3)).toEqual([['north', 35]])
    expect(await send('bob', { branch: 'east', balance: 25 }, 4)).toEqual([['north', 15], ['east', 25]])
    expect(await driver.store<string, number>('per-branch').get('north')).toBe(15)
    expect(await driver.store<string, number>('per-branch').get('east')).toBe(25)
  })

  test('reduce: the first value of a group is its start; subtraction takes a value out', async () => {
    const send = sender(await start(branchApp('reduce'), { cacheMaxBytes: 0 }))
    expect(await send('alice', { branch: 'north', balance: 10 }, 1)).toEqual([['north', 10]])
    expect(await send('bob', { branch: 'north', balance: 5 }, 2)).toEqual([['north', 15]])
    expect(await send('alice', null, 3)).toEqual([['north', 5]])
  })

  test('an entry mapped to a null key is in no group: it adds nothing, and leaving it subtracts nothing', async () => {
    const send = sender(await start(branchApp('count'), { cacheMaxBytes: 0 }))
    expect(await send('alice', { branch: null, balance: 10 }, 1)).toEqual([])
    expect(await send('alice', { branch: 'north', balance: 10 }, 2)).toEqual([['north', 1]])
    expect(await send('alice', { branch: null, balance: 10 }, 3)).toEqual([['north', 0]])
  })

  test('with the cache on, a group updated several times between commits comes out once, with its last aggregate', async () => {
    const driver = await start(branchApp('sum'))
    await driver.input('accounts', accounts).sendAll([
      { key: 'alice', value: { branch: 'north', balance: 10 }, timestamp: 1 },
      { key: 'bob', value: { branch: 'north', balance: 20 }, timestamp: 2 },
      { key: 'alice', value: { branch: 'north', balance: 1 }, timestamp: 3 },
    ])
    expect(await driver.output('per-branch', perBranch).readKeyValues()).toEqual([['north', 21]])
  })
})
