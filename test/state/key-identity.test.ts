/**
 * The caches find entries by a cheap key identity where the key serde allows one (key-identity.ts):
 * keys whose bytes differ must stay apart in the cache, and each must reach the backend intact.
 */
import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { CacheBudget } from '../../state/cache-budget.js'
import { primitiveKeyIdentity } from '../../state/key-identity.js'
import { CachedKeyValueStore } from '../../state/key-value-store.js'
import { LoggedBytesStore } from '../../state/logged-bytes-store.js'
import { LoggedWindowStore } from '../../state/window-store.js'
import { backendFactories, collect, useBackends } from './helpers.js'

describe('primitiveKeyIdentity', () => {
  test('vouches only for keys whose bytes the value fixes', () => {
    const float64 = primitiveKeyIdentity('float64')!
    expect([float64(1.5), float64(0), float64(-0), float64(Number.NaN), float64('1')]).toEqual([1.5, 0, undefined, undefined, undefined])
    const int32 = primitiveKeyIdentity('int32')!
    expect([int32(7), int32(-7), int32(1.5), int32(2 ** 31)]).toEqual([7, -7, undefined, undefined])
    expect(primitiveKeyIdentity('json')).toBeUndefined()
  })
})

describe.each(backendFactories)('cache identities on $name', ({ factory }) => {
  const backends = useBackends(factory)

  test('float64 keys 0 and -0, whose bytes differ, are two keys in the cache and in the store', async () => {
    const bytes = new LoggedBytesStore(await backends.open(), () => undefined)
    const serde = { key: serdes.float64(), value: serdes.int32(), keyContext: { topic: 'c', isKey: true }, valueContext: { topic: 'c', isKey: false } }
    const store = new CachedKeyValueStore<number, number>(bytes, serde, 'by-number', new CacheBudget(1 << 20))
    store.put(0, 1)
    store.put(-0, 2)
    store.put(2.5, 3)
    expect([await store.get(0), await store.get(-0), await store.get(2.5)]).toEqual([1, 2, 3])
    store.flush()
    await bytes.flush()
    const cold = new CachedKeyValueStore<number, number>(bytes, serde, 'by-number', new CacheBudget(1 << 20))
    expect((await collect(cold.all())).map(({ key, value }) => [Object.is(key, -0) ? '-0' : key, value])).toEqual([[0, 1], [2.5, 3], ['-0', 2]])
  })

  test.each([
    { name: 'string', serde: serdes.string(), keys: ['a|1', 'a', '1|a', ''] as unknown[] },
    { name: 'int32', serde: serdes.int32(), keys: [1, 11, -1, 0] as unknown[] },
  ])('windows of $name keys that read alike as text are kept apart, in the cache and after a flush', async ({ serde, keys }) => {
    const bytes = new LoggedBytesStore(await backends.open(), () => undefined)
    const options = { name: 'w', windowSizeMs: 10, retentionMs: 1_000, budget: new CacheBudget(1 << 20) }
    const store = new LoggedWindowStore<unknown, number>(bytes, { key: serde as never, value: serdes.int32() }, options)
    const starts = [1, 11, 110]
    keys.forEach((key, k) => starts.forEach((start, s) => store.put(key, start, k * 10 + s)))
    const expected = keys.flatMap((_, k) => starts.map((_, s) => k * 10 + s))
    const read = async (from: LoggedWindowStore<unknown, number>) => Promise.all(keys.flatMap((key) => starts.map((start) => from.fetch(key, start))))
    expect(await read(store)).toEqual(expected)
    store.flush()
    await bytes.flush()
    const cold = new LoggedWindowStore<unknown, number>(bytes, { key: serde as never, value: serdes.int32() }, options)
    expect(await read(cold)).toEqual(expected)
  })
})
