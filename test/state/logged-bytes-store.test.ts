import { describe, expect, test } from 'vitest'
import type { BackendWrite, StoreBackend } from '../../state/backend/types.js'
import { LoggedBytesStore } from '../../state/logged-bytes-store.js'
import { backendFactories, bytes, collect, hexEntries, useBackends } from './helpers.js'

/** A real backend whose writes are recorded, and made to fail on demand. */
function recording(backend: StoreBackend): { backend: StoreBackend; writes: BackendWrite[][]; failWrites: (error: Error) => void } {
  const writes: BackendWrite[][] = []
  let failure: Error | undefined
  const wrapped: StoreBackend = {
    kind: backend.kind,
    synchronous: backend.synchronous,
    get: (key) => backend.get(key),
    getMany: (keys) => backend.getMany(keys),
    write: (batch) => {
      writes.push([...batch])
      return failure === undefined ? backend.write(batch) : Promise.reject(failure)
    },
    deleteRange: (gte, lt) => (failure === undefined ? backend.deleteRange(gte, lt) : Promise.reject(failure)),
    range: (range) => backend.range(range),
    approximateCount: () => backend.approximateCount(),
    flush: () => backend.flush(),
    close: () => backend.close(),
  }
  return { backend: wrapped, writes, failWrites: (error) => (failure = error) }
}

const text = (value: Buffer | undefined): string | undefined => value?.toString()

describe.each(backendFactories)('LoggedBytesStore on $name', ({ factory }) => {
  const backends = useBackends(factory)

  async function setup(maxPendingBytes?: number) {
    const recorded = recording(await backends.open())
    const changes: [string, string | null][] = []
    const store = new LoggedBytesStore(recorded.backend, (key, value) => changes.push([key.toString('hex'), value?.toString() ?? null]), maxPendingBytes)
    return { store, changes, ...recorded }
  }

  test('a put is visible to get at once, synchronously', async () => {
    const { store } = await setup()
    store.put(bytes('01'), Buffer.from('a'))
    expect(text(store.get(bytes('01')) as Buffer)).toBe('a')
  })

  test('a pending delete hides the stored value', async () => {
    const { store, backend } = await setup()
    await backend.write([{ key: bytes('01'), value: Buffer.from('stored') }])
    store.put(bytes('01'), null)
    expect(store.get(bytes('01'))).toBeUndefined()
  })

  test('a key not pending is read from the backend', async () => {
    const { store, backend } = await setup()
    await backend.write([{ key: bytes('01'), value: Buffer.from('stored') }])
    expect(text(await store.get(bytes('01')))).toBe('stored')
  })

  test('the changelog gets every change in order, repeats and deletes included', async () => {
    const { store, changes } = await setup()
    store.put(bytes('02'), Buffer.from('a'))
    store.put(bytes('01'), Buffer.from('b'))
    store.put(bytes('02'), null)
    store.put(bytes('02'), Buffer.from('c'))
    expect(changes).toEqual([
      ['02', 'a'],
      ['01', 'b'],
      ['02', null],
      ['02', 'c'],
    ])
  })

  test('nothing reaches the backend before flush, then all of it in one batch', async () => {
    const { store, writes, backend } = await setup()
    store.put(bytes('01'), Buffer.from('a'))
    store.put(bytes('02'), Buffer.from('b'))
    store.put(bytes('01'), Buffer.from('c'))
    expect(writes).toHaveLength(0)
    await store.flush()
    expect(writes).toHaveLength(1)
    expect(hexEntries(await collect(backend.range()))).toEqual([
      ['01', 'c'],
      ['02', 'b'],
    ])
    expect(store.pendingSize).toBe(0)
  })

  test('pending writes over maxPendingBytes go to the backend without waiting for flush', async () => {
    const { store, writes } = await setup(1_000)
    let puts = 0
    do store.put(Buffer.from([puts++]), Buffer.alloc(100))
    while (store.pendingSize > 0 && puts < 100)
    // Handed over on the put that crossed the limit, and still visible while being written.
    expect(puts).toBeGreaterThan(1)
    expect(puts).toBeLessThan(100)
    expect(store.get(Buffer.from([puts - 1]))).toBeInstanceOf(Buffer)
    await store.flush() // nothing new is pending: this only waits for the background write
    expect(writes.map((batch) => batch.length)).toEqual([puts])
  })

  test('rewriting one key does not inflate the pending size', async () => {
    const { store } = await setup()
    store.put(bytes('01'), Buffer.alloc(100))
    const once = store.pendingSize
    for (let i = 0; i < 100; i++) store.put(bytes('01'), Buffer.alloc(100))
    expect(store.pendingSize).toBe(once)
  })

  test('range merges pending puts and deletes with stored entries, in key order', async () => {
    const { store, backend } = await setup()
    await backend.write(['01', '03', '05', '07'].map((key) => ({ key: bytes(key), value: Buffer.from(`stored ${key}`) })))
    store.put(bytes('00'), Buffer.from('new 00'))
    store.put(bytes('03'), Buffer.from('changed 03'))
    store.put(bytes('05'), null)
    store.put(bytes('06'), Buffer.from('new 06'))
    store.put(bytes('09'), null)
    expect(hexEntries(await collect(store.range()))).toEqual([
      ['00', 'new 00'],
      ['01', 'stored 01'],
      ['03', 'changed 03'],
      ['06', 'new 06'],
      ['07', 'stored 07'],
    ])
  })

  test('range bounds, reverse and limit apply to the merged entries', async () => {
    const { store, backend } = await setup()
    await backend.write(['01', '03', '05', '07'].map((key) => ({ key: bytes(key), value: Buffer.from(key) })))
    store.put(bytes('04'), Buffer.from('04'))
    store.put(bytes('07'), null)
    store.put(bytes('08'), Buffer.from('08'))
    const keys = async (range: Parameters<LoggedBytesStore['range']>[0]): Promise<string[]> => (await collect(store.range(range))).map(({ key }) => key.toString('hex'))
    expect(await keys({ gte: bytes('03'), lt: bytes('08') })).toEqual(['03', '04', '05'])
    expect(await keys({ reverse: true })).toEqual(['08', '05', '04', '03', '01'])
    expect(await keys({ reverse: true, limit: 2 })).toEqual(['08', '05'])
    expect(await keys({ gte: bytes('02'), limit: 2 })).toEqual(['03', '04'])
  })

  test('range sees entries being written in the background', async () => {
    const { store } = await setup(100)
    store.put(bytes('01'), Buffer.alloc(200, 1))
    expect(store.pendingSize).toBe(0)
    expect(await collect(store.range())).toHaveLength(1)
    await store.flush()
  })

  test('deleteRangeLocally removes pending and stored keys in [gte, lt) without logging', async () => {
    const { store, backend, changes } = await setup()
    await backend.write(['01', '02', '05'].map((key) => ({ key: bytes(key), value: Buffer.from(key) })))
    store.put(bytes('03'), Buffer.from('03'))
    store.put(bytes('06'), Buffer.from('06'))
    const logged = changes.length
    await store.deleteRangeLocally(bytes('02'), bytes('06'))
    expect(changes).toHaveLength(logged)
    expect(hexEntries(await collect(store.range()))).toEqual([
      ['01', '01'],
      ['06', '06'],
    ])
    await store.flush()
    expect(hexEntries(await collect(backend.range()))).toEqual([
      ['01', '01'],
      ['06', '06'],
    ])
  })

  test('a put made after deleteRangeLocally survives it', async () => {
    const { store } = await setup()
    store.put(bytes('02'), Buffer.from('old'))
    await store.flush()
    const deleted = store.deleteRangeLocally(bytes('00'), bytes('ff'))
    store.put(bytes('02'), Buffer.from('new'))
    await deleted
    await store.flush()
    expect(text(await store.get(bytes('02')))).toBe('new')
  })

  test('a failed write is thrown by flush, and by every flush after it', async () => {
    const { store, failWrites } = await setup()
    failWrites(new Error('disk full'))
    store.put(bytes('01'), Buffer.from('a'))
    await expect(store.flush()).rejects.toThrow('disk full')
    await expect(store.flush()).rejects.toThrow('disk full')
  })

  test('a failed deleteRangeLocally is thrown by the next flush too', async () => {
    const { store, failWrites } = await setup()
    failWrites(new Error('io error'))
    const deleted = store.deleteRangeLocally(bytes('00'), bytes('ff'))
    await expect(deleted).rejects.toThrow('io error')
    await expect(store.flush()).rejects.toThrow('io error')
  })
})
