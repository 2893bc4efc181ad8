import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { CacheBudget } from '../../state/cache-budget.js'
import { CachedKeyValueStore, type KeyChange } from '../../state/key-value-store.js'
import { LoggedBytesStore, MISS } from '../../state/logged-bytes-store.js'
import { backendFactories, collect, useBackends } from './helpers.js'

const SOURCE = { timestamp: 7, topic: 'in', partition: 0, offset: 3, headers: [] }

describe.each(backendFactories)('the key-value store on $name', ({ factory }) => {
  const backends = useBackends(factory)

  /** A store with the cache on (`cacheBytes` > 0) or off, its changelog records and forwarded changes. */
  async function setup(cacheBytes: number) {
    const backend = await backends.open()
    const changelog: [string, string | null][] = []
    const bytes = new LoggedBytesStore(backend, (key, value) => changelog.push([key.toString(), value === null ? null : value.toString()]))
    const serde = { key: serdes.string(), value: serdes.json<number>(), keyContext: { topic: 'c', isKey: true }, valueContext: { topic: 'c', isKey: false } }
    const budget = cacheBytes > 0 ? new CacheBudget(cacheBytes) : undefined
    const store = new CachedKeyValueStore<string, number>(bytes, serde, 'counts', budget)
    const forwarded: [string, number | undefined][] = []
    store.onFlush = (change: KeyChange<string, number>) => forwarded.push([change.key, change.value])
    return { store, bytes, backend, changelog, forwarded, budget }
  }

  describe.each([
    { cache: 'on', cacheBytes: 1 << 20 },
    { cache: 'off', cacheBytes: 0 },
  ])('with the cache $cache', ({ cacheBytes }) => {
    test('put, get, delete and putAll', async () => {
      const { store } = await setup(cacheBytes)
      store.put('a', 1)
      store.putAll([{ key: 'b', value: 2 }, { key: 'c', value: 3 }])
      store.delete('b')
      expect(await store.get('a')).toBe(1)
      expect(await store.get('b')).toBeUndefined()
      expect(await store.get('c')).toBe(3)
      expect(await store.get('missing')).toBeUndefined()
    })

    test('range (both ends inclusive), prefixScan and all in key order, before and after a flush', async () => {
      const { store, bytes } = await setup(cacheBytes)
      for (const [key, value] of [['apple', 1], ['apricot', 2], ['banana', 3], ['blueberry', 4], ['cherry', 5]] as const) store.put(key, value)
      const check = async (): Promise<void> => {
        expect(await collect(store.range('apricot', 'blueberry'))).toEqual([{ key: 'apricot', value: 2 }, { key: 'banana', value: 3 }, { key: 'blueberry', value: 4 }])
        expect((await collect(store.prefixScan('ap'))).map(({ key }) => key)).toEqual(['apple', 'apricot'])
        expect((await collect(store.all())).map(({ key }) => key)).toEqual(['apple', 'apricot', 'banana', 'blueberry', 'cherry'])
      }
      await check()
      store.flush()
      await bytes.flush()
      await check()
      store.delete('banana')
      store.put('avocado', 9)
      expect((await collect(store.all())).map(({ key }) => key)).toEqual(['apple', 'apricot', 'avocado', 'blueberry', 'cherry'])
    })

    test('approximateCount counts the entries once they are flushed', async () => {
      const { store, bytes } = await setup(cacheBytes)
      store.putAll(['a', 'b', 'c'].map((key, i) => ({ key, value: i })))
      store.flush()
      await bytes.flush()
      expect(await store.approximateCount()).toBe(3)
    })

    test('a value written and flushed is read back from the backend by a fresh store', async () => {
      const { store, bytes, backend } = await setup(cacheBytes)
      store.put('a', 41)
      store.put('a', 42)
      store.flush()
      await bytes.flush()
      const serde = { key: serdes.string(), value: serdes.json<number>(), keyContext: { topic: 'c', isKey: true }, valueContext: { topic: 'c', isKey: false } }
      const fresh = new CachedKeyValueStore<string, number>(new LoggedBytesStore(backend, undefined), serde, 'counts', undefined)
      expect(await fresh.get('a')).toBe(42)
    })
  })

  test('the cache absorbs repeated updates: one changelog record and one forwarded change per key and flush, in the order keys became dirty', async () => {
    const { store, changelog, forwarded } = await setup(1 << 20)
    store.update('a', 1, SOURCE)
    store.update('b', 1, SOURCE)
    store.update('a', 2, SOURCE)
    store.update('b', undefined, SOURCE)
    expect(changelog).toEqual([])
    expect(store.flush()).toBe(2)
    expect(changelog).toEqual([['a', '2'], ['b', null]])
    expect(forwarded).toEqual([['a', 2], ['b', undefined]])
    expect(store.flush()).toBe(0)
  })

  test('with the cache off, every update is logged at once and nothing waits for a flush', async () => {
    const { store, changelog, forwarded } = await setup(0)
    store.update('a', 1, SOURCE)
    store.update('a', 2, SOURCE)
    expect(changelog).toEqual([['a', '1'], ['a', '2']])
    expect(store.caching).toBe(false)
    expect(store.flush()).toBe(0)
    expect(forwarded).toEqual([]) // the operator forwards uncached updates itself
  })

  test('a cached key is read synchronously; a miss below the cache is read once and then cached', async () => {
    const { store, bytes } = await setup(1 << 20)
    store.put('a', 1)
    expect(store.lookup('a')).toBe(1)
    store.flush()
    await bytes.flush()
    const serde = { key: serdes.string(), value: serdes.json<number>(), keyContext: { topic: 'c', isKey: true }, valueContext: { topic: 'c', isKey: false } }
    const cold = new CachedKeyValueStore<string, number>(bytes, serde, 'counts', new CacheBudget(1 << 20))
    const first = cold.lookup('a')
    expect(await first).toBe(1)
    expect(cold.lookup('a')).toBe(1) // now cached: no promise
    // An absent key is not cached (the caller is about to write it): it is read again, and is absent.
    expect(await cold.get('nope')).toBeUndefined()
  })

  test('peek answers without reading the disk, and loadMany reads what it missed in one round trip', async () => {
    const { store, bytes, backend } = await setup(1 << 20)
    store.put('a', 1)
    store.flush()
    await bytes.flush()
    const serde = { key: serdes.string(), value: serdes.json<number>(), keyContext: { topic: 'c', isKey: true }, valueContext: { topic: 'c', isKey: false } }
    const cold = new CachedKeyValueStore<string, number>(new LoggedBytesStore(backend, undefined), serde, 'counts', new CacheBudget(1 << 20))
    if (backend.synchronous) expect(cold.peek('a')).toBe(1)
    else expect(cold.peek('a')).toBe(MISS)
    expect(await cold.loadMany(['a', 'b'])).toEqual([1, undefined])
    expect(cold.peek('a')).toBe(1)
  })

  test('over its budget the cache evicts least recently used entries, forwarding and logging the dirty ones', async () => {
    const { store, changelog, forwarded, budget } = await setup(1_000)
    for (let i = 0; i < 20; i++) store.update(`key-${i}`, i, SOURCE)
    expect(budget!.used).toBeLessThanOrEqual(1_000)
    expect(forwarded.length).toBeGreaterThan(0)
    expect(forwarded[0]).toEqual(['key-0', 0]) // the oldest goes first
    expect(changelog.length).toBe(forwarded.length)
    // Every key is still readable, evicted or not.
    for (let i = 0; i < 20; i++) expect(await store.get(`key-${i}`)).toBe(i)
    store.flush()
    expect(new Set(forwarded.map(([key]) => key)).size).toBe(20)
  })

  test('watch gives the current value, then each change as it leaves the cache', async () => {
    const { store } = await setup(1 << 20)
    store.put('a', 1)
    const seen: (number | undefined)[] = []
    const subscription = store.watch('a').subscribe((value) => seen.push(value))
    await new Promise((resolve) => setImmediate(resolve))
    store.put('a', 2)
    store.put('b', 5)
    store.flush()
    store.delete('a')
    store.flush()
    subscription.unsubscribe()
    expect(seen).toEqual([1, 2, undefined])
  })
})
