import { firstValueFrom, take, toArray } from 'rxjs'
import { describe, expect, test } from 'vitest'
import { App, inMemoryStores, named, serdes, StoreNotLocalError, UnknownStoreError, type Log } from '../../index.js'
import { driverPerTest } from '../operators/helpers.js'
import { tempDirPerTest, waitUntil, withLog } from '../runtime/helpers.js'

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of iterable) items.push(item)
  return items
}

describe('interactive queries', () => {
  const start = driverPerTest()

  test('get, range, prefixScan, all and approximateCount read a store from outside the pipeline', async () => {
    const driver = await start((app) => {
      app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('counts'))
    })
    await driver.input('words', { key: serdes.string(), value: serdes.string() }).sendAll(['ant', 'bee', 'bear', 'cat', 'bee'].map((word) => ({ key: word, value: word })))
    const store = driver.store<string, number>('counts')
    expect(await store.get('bee')).toBe(2)
    expect(await store.get('dog')).toBeUndefined()
    expect(await collect(store.range('b', 'bee'))).toEqual([{ key: 'bear', value: 1 }, { key: 'bee', value: 2 }])
    expect((await collect(store.prefixScan('be'))).map(({ key }) => key)).toEqual(['bear', 'bee'])
    expect((await collect(store.all())).map(({ key }) => key)).toEqual(['ant', 'bear', 'bee', 'cat'])
    expect(await store.approximateCount()).toBe(4)
  })

  test('watch(key) gives the current value, then each committed change', async () => {
    const driver = await start((app) => {
      app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('counts'))
    })
    const words = driver.input('words', { key: serdes.string(), value: serdes.string() })
    await words.send('ant', { key: 'ant' })
    const seen = firstValueFrom(driver.store<string, number>('counts').watch('ant').pipe(take(3), toArray()))
    await words.sendAll([{ key: 'ant', value: 'ant' }, { key: 'bee', value: 'bee' }])
    await words.send('ant', { key: 'ant' })
    expect(await seen).toEqual([1, 2, 3])
  })

  test('an unknown store is named with the stores there are', async () => {
    const driver = await start((app) => {
      app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('counts'))
    })
    expect(() => driver.store('count')).toThrow(UnknownStoreError)
    expect(() => driver.store('count')).toThrow('its stores are: counts')
  })
})

describe('interactive queries across instances', () => {
  const tempDir = tempDirPerTest('iq')

  function instance(log: Log): App {
    const app = new App({ id: 'shared', log, stores: inMemoryStores(), handleSignals: false, commitIntervalMs: 20 })
    app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('counts'))
    return app
  }

  test('a key whose partition another instance hosts is reported as not local, naming its partition', async () => {
    await withLog(tempDir(), async (log) => {
      await log.createTopic('words', { partitions: 4 })
      const words = Array.from({ length: 40 }, (_, i) => `w${i}`)
      await log.producer().send(words.map((word) => ({ topic: 'words', key: Buffer.from(word), value: Buffer.from(word) })))
      const a = instance(log)
      const b = instance(log)
      await a.start()
      await b.start()
      try {
        const stores = [a.store<string, number>('counts'), b.store<string, number>('counts')]
        // Once the group has settled, each key is answered by exactly one instance.
        await waitUntil(async () => {
          for (const word of words) {
            const answers = await Promise.all(stores.map((store) => store.get(word).catch((error: unknown) => error)))
            if (answers.filter((answer) => answer === 1).length !== 1) return false
          }
          return true
        }, 'every word counted on one instance')
        const word = words[0]!
        const results = await Promise.all(stores.map((store) => store.get(word).catch((error: unknown) => error)))
        const refused = results.find((result) => result instanceof StoreNotLocalError) as StoreNotLocalError
        expect(refused).toBeInstanceOf(StoreNotLocalError)
        expect(refused.partition).toBe(stores[0]!.partitionOf(word))
        expect(refused.message).toContain('is not hosted by this instance')
      } finally {
        await a.stop()
        await b.stop()
      }
    })
  })
})
