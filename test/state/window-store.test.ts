import { describe, expect, test, vi } from 'vitest'
import { ConfigError } from '../../core/errors.js'
import { serdes } from '../../core/serde/serdes.js'
import type { StoreBackend } from '../../state/backend/types.js'
import { StateTimestampError } from '../../state/errors.js'
import { MISS, type LoggedBytesStore } from '../../state/logged-bytes-store.js'
import { decodeWindowKey } from '../../state/window-key.js'
import { LoggedWindowStore } from '../../state/window-store.js'
import { CacheBudget } from '../../state/cache-budget.js'
import { backendFactories, collect, loggedBytes, segmentsOnDisk, useBackends } from './helpers.js'

const SIZE = 10_000
/** Retention 5 minutes: segments of 150 s. */
const RETENTION = 300_000

describe.each(backendFactories)('LoggedWindowStore on $name', ({ factory }) => {
  const backends = useBackends(factory)

  async function setup(backend?: StoreBackend) {
    const opened = backend ?? (await backends.open())
    const { bytes, changelog } = loggedBytes(opened)
    return { store: windowStore(bytes), bytes, changelog, backend: opened }
  }

  function windowStore(bytes: LoggedBytesStore): LoggedWindowStore<string, number> {
    return new LoggedWindowStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'clicks', windowSizeMs: SIZE, retentionMs: RETENTION })
  }

  const starts = async (iterable: AsyncIterable<{ window: { start: number } }>): Promise<number[]> => (await collect(iterable)).map(({ window }) => window.start)
  const keyStarts = async (iterable: AsyncIterable<{ key: { window: { start: number } } }>): Promise<number[]> => (await collect(iterable)).map(({ key }) => key.window.start)

  describe('put and fetch', () => {
    test('a put window is fetched back by key and start', async () => {
      const { store } = await setup()
      store.put('a', 60_000, 3)
      expect(await store.fetch('a', 60_000)).toBe(3)
    })

    test('with a cache, keys 0 and -0 (other bytes as float64) of one window stay apart, however peeks and puts alternate', async () => {
      const { bytes } = await setup()
      const store = new LoggedWindowStore(bytes, { key: serdes.float64(), value: serdes.int32() }, { name: 'prices', windowSizeMs: SIZE, retentionMs: RETENTION, budget: new CacheBudget(1 << 20) })
      expect(await store.fetch(0, 0)).toBeUndefined() // (peeks answer once the store has looked at its segments)
      for (const [key, value] of [[0, 1], [-0, 2], [0, 3], [1.5, 4], [-0, 5]] as const) {
        store.peek(key, 0)
        store.put(key, 0, value)
      }
      expect(store.peek(0, 0)).toBe(3)
      expect(store.peek(-0, 0)).toBe(5)
      store.flush()
      await bytes.flush()
      const stored = (await collect(store.all())).map(({ key, value }) => [Object.is(key.key, -0) ? '-0' : key.key, value])
      expect(stored).toHaveLength(3)
      expect(stored).toEqual(expect.arrayContaining([[0, 3], ['-0', 5], [1.5, 4]]))
    })

    test('another window or another key of the same window reads as undefined', async () => {
      const { store } = await setup()
      store.put('a', 60_000, 3)
      expect(await store.fetch('a', 70_000)).toBeUndefined()
      expect(await store.fetch('b', 60_000)).toBeUndefined()
    })

    test('a later put of the window replaces its value', async () => {
      const { store } = await setup()
      store.put('a', 0, 1)
      store.put('a', 0, 2)
      expect(await store.fetch('a', 0)).toBe(2)
    })

    test('a put of null removes the window', async () => {
      const { store, bytes } = await setup()
      store.put('a', 0, 1)
      await bytes.flush()
      store.put('a', 0, null)
      expect(await store.fetch('a', 0)).toBeUndefined()
      await bytes.flush()
      expect(await collect(store.all())).toEqual([])
    })

    test('values are read back from the backend after a flush', async () => {
      const { store, bytes } = await setup()
      store.put('a', 0, 1)
      store.put('a', 10_000, 2)
      await bytes.flush()
      expect([await store.fetch('a', 0), await store.fetch('a', 10_000)]).toEqual([1, 2])
    })

    test('the empty key is a key like any other', async () => {
      const { store } = await setup()
      store.put('', 0, 7)
      expect(await store.fetch('', 0)).toBe(7)
      expect(await store.fetch('a', 0)).toBeUndefined()
    })
  })

  describe('fetchRange', () => {
    test('yields the windows of the key starting within [from, to], by start, with their ends', async () => {
      const { store } = await setup()
      for (const start of [40_000, 0, 20_000, 10_000, 30_000]) store.put('a', start, start / 1_000)
      store.put('b', 20_000, 99)
      expect(await collect(store.fetchRange('a', 10_000, 30_000))).toEqual([
        { window: { start: 10_000, end: 20_000 }, value: 10 },
        { window: { start: 20_000, end: 30_000 }, value: 20 },
        { window: { start: 30_000, end: 40_000 }, value: 30 },
      ])
    })

    test('spans several segments', async () => {
      const { store, bytes } = await setup()
      for (const start of [0, 100_000, 149_999, 150_000, 200_000, 290_000]) store.put('a', start, 1)
      await bytes.flush()
      expect(await starts(store.fetchRange('a', 50_000, 290_000))).toEqual([100_000, 149_999, 150_000, 200_000, 290_000])
    })

    test('merges windows still pending with stored ones', async () => {
      const { store, bytes } = await setup()
      store.put('a', 0, 1)
      store.put('a', 20_000, 1)
      await bytes.flush()
      store.put('a', 10_000, 2)
      store.put('a', 20_000, null)
      expect(await starts(store.fetchRange('a', 0, 30_000))).toEqual([0, 10_000])
    })

    test('never mixes in keys that are prefixes or extensions of the key', async () => {
      const { store } = await setup()
      for (const key of ['', 'a', 'a\0', 'ab', 'b']) for (const start of [0, 10_000]) store.put(key, start, key.length)
      expect(await collect(store.fetchRange('a', 0, 10_000))).toEqual([
        { window: { start: 0, end: 10_000 }, value: 1 },
        { window: { start: 10_000, end: 20_000 }, value: 1 },
      ])
      expect(await starts(store.fetchRange('', -Infinity, Infinity))).toEqual([0, 10_000])
    })

    test('orders negative, zero and positive starts in time order', async () => {
      const { store } = await setup()
      for (const start of [1, -1, 0, -150_001, 140_000, -150_000]) store.put('a', start, 1)
      expect(await starts(store.fetchRange('a', -Infinity, Infinity))).toEqual([-150_001, -150_000, -1, 0, 1, 140_000])
      expect(await starts(store.fetchRange('a', -1, 0))).toEqual([-1, 0])
    })

    test('is empty for an inverted range', async () => {
      const { store } = await setup()
      store.put('a', 0, 1)
      expect(await collect(store.fetchRange('a', 10, 0))).toEqual([])
    })
  })

  describe('fetchAll and all', () => {
    test('fetchAll yields every key’s windows within [from, to]: by segment, then key length and bytes, then start', async () => {
      const { store } = await setup()
      store.put('b', 0, 1)
      store.put('ab', 0, 2)
      store.put('a', 10_000, 3)
      store.put('a', 0, 4)
      store.put('a', 160_000, 5)
      store.put('b', 170_000, 6)
      const all = await collect(store.fetchAll(0, 160_000))
      expect(all.map(({ key, value }) => [key.key, key.window.start, value])).toEqual([
        ['a', 0, 4],
        ['a', 10_000, 3],
        ['b', 0, 1],
        ['ab', 0, 2],
        ['a', 160_000, 5],
      ])
      expect(all[0]!.key.window).toEqual({ start: 0, end: 10_000 })
    })

    test('all yields every live window', async () => {
      const { store } = await setup()
      store.put('x', -5, 1)
      store.put('y', 200_000, 2)
      expect((await collect(store.all())).map(({ key, value }) => [key.key, key.window.start, value])).toEqual([
        ['x', -5, 1],
        ['y', 200_000, 2],
      ])
    })

    test('an empty store yields nothing', async () => {
      const { store } = await setup()
      expect(await collect(store.all())).toEqual([])
      expect(await collect(store.fetchRange('a', -Infinity, Infinity))).toEqual([])
    })
  })

  describe('with a cache', () => {
    async function cached() {
      const backend = await backends.open()
      const { bytes, changelog } = loggedBytes(backend)
      const store = new LoggedWindowStore<string, number>(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'clicks', windowSizeMs: SIZE, retentionMs: RETENTION, budget: new CacheBudget(1 << 20) })
      const flushed: string[] = []
      store.onFlush = ({ key, start, value }) => flushed.push(`${key}@${start}=${value}`)
      return { store, bytes, changelog, backend, flushed }
    }

    test('repeated puts of a window are absorbed: reads see the last, and flush hands it down once', async () => {
      const { store, changelog, flushed } = await cached()
      expect(store.caching).toBe(true)
      store.put('a', 0, 1)
      store.put('a', 0, 2)
      store.put('b', 0, 5)
      expect(await store.fetch('a', 0)).toBe(2)
      expect(store.peek('a', 0)).toBe(2)
      expect(await starts(store.fetchRange('a', 0, 0))).toEqual([0])
      expect(changelog).toHaveLength(0)
      expect(store.flush()).toBe(2)
      expect(flushed).toEqual(['a@0=2', 'b@0=5'])
      expect(changelog).toHaveLength(2)
      expect(store.flush()).toBe(0)
    })

    test('a cached window whose segment falls out of retention is handed down before the drop, and is not left on disk after it', async () => {
      const { store, bytes, backend, flushed } = await cached()
      store.put('a', 0, 1) // segment 0, cached
      store.advanceStreamTime(0)
      store.put('a', 460_000, 4)
      store.advanceStreamTime(460_000) // the oldest live start is 160 001: segment 0 goes
      expect(flushed).toEqual(['a@0=1'])
      store.flush()
      await bytes.flush()
      expect(await segmentsOnDisk(backend)).toEqual([3])
    })
  })

  describe('with a cache, reads of windows that were never written down', () => {
    const cachedStore = (bytes: LoggedBytesStore, budgetBytes = 1 << 20) =>
      new LoggedWindowStore<string, number>(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'clicks', windowSizeMs: SIZE, retentionMs: RETENTION, budget: new CacheBudget(budgetBytes) })

    test('a new window of a segment that was empty when the store opened is absent without a backend read', async () => {
      const backend = await backends.open()
      const { bytes } = loggedBytes(backend)
      const store = cachedStore(bytes)
      expect(await store.fetch('a', 0)).toBeUndefined() // the store has looked at its segments
      const reads = vi.spyOn(backend, 'get')
      expect(store.peek('b', 0)).toBeUndefined()
      expect(store.peek('b', 160_000)).toBeUndefined()
      expect(await store.fetch('c', 20_000)).toBeUndefined()
      expect(reads).not.toHaveBeenCalled()
    })

    test('a window of the segment that held the newest key when the store opened is read from the backend', async () => {
      const backend = await backends.open()
      const before = loggedBytes(backend).bytes
      const first = cachedStore(before)
      first.put('a', 10_000, 1)
      first.put('a', 20_000, 2)
      first.flush()
      first.close()
      await before.flush()
      const reopened = cachedStore(loggedBytes(backend).bytes)
      expect(await reopened.fetch('a', 10_000)).toBe(1)
      const peeked = reopened.peek('a', 20_000)
      expect(peeked === MISS ? await reopened.fetch('a', 20_000) : peeked).toBe(2)
    })

    test('windows evicted from a small cache read back their values, by peek or fetch', async () => {
      const { bytes } = loggedBytes(await backends.open())
      const store = cachedStore(bytes, 4_000)
      expect(await store.fetch('warm-up', 0)).toBeUndefined()
      for (let key = 0; key < 200; key++) store.put(`k${key}`, 0, key)
      await bytes.flush()
      for (let key = 0; key < 200; key++) {
        const peeked = store.peek(`k${key}`, 0)
        expect(peeked).not.toBeUndefined()
        expect(peeked === MISS ? await store.fetch(`k${key}`, 0) : peeked).toBe(key)
      }
    })
  })

  describe('resident (every live window in memory too)', () => {
    const resident = (bytes: LoggedBytesStore): LoggedWindowStore<string, number> =>
      new LoggedWindowStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'clicks', windowSizeMs: SIZE, retentionMs: RETENTION, resident: true })

    test('reads answer from memory what puts wrote, and what the backend held when the store opened', async () => {
      const backend = await backends.open()
      const first = loggedBytes(backend)
      const before = resident(first.bytes)
      before.put('a', 10_000, 1)
      before.put('a', 30_000, 3)
      before.put('b', 10_000, 5)
      await first.bytes.flush()
      // Reopened over the same backend: the resident copy is filled from it.
      const { bytes } = loggedBytes(backend)
      const store = resident(bytes)
      expect(store.peek('a', 10_000)).toBe(MISS) // not loaded yet
      store.put('a', 20_000, 2)
      expect(await starts(store.fetchRange('a', 0, 40_000))).toEqual([10_000, 20_000, 30_000])
      expect(store.peek('a', 20_000)).toBe(2)
      expect(store.peek('c', 20_000)).toBeUndefined()
      expect(await store.fetch('b', 10_000)).toBe(5)
      store.put('a', 20_000, null)
      expect(await starts(store.fetchRange('a', 0, 40_000))).toEqual([10_000, 30_000])
    })

    test('expired windows are not read, and leave memory when their segment is dropped', async () => {
      const { bytes } = loggedBytes(await backends.open())
      const store = resident(bytes)
      store.put('a', 0, 1)
      store.put('a', 160_000, 2)
      expect(await starts(store.fetchRange('a', 0, 500_000))).toEqual([0, 160_000])
      store.put('a', 460_000, 4) // the oldest live start is 160 001: segment 0 goes
      expect(await starts(store.fetchRange('a', 0, 500_000))).toEqual([460_000])
      expect(await store.fetch('a', 0)).toBeUndefined()
    })
  })

  describe('retention', () => {
    test('a put of a window older than stream time minus retention is ignored, and not logged', async () => {
      const { store, changelog } = await setup()
      store.put('a', 400_000, 1)
      const logged = changelog.length
      store.put('a', 100_000, 2) // 400 000 - 300 000 + 1 is the oldest live start
      store.put('a', 100_001, 3)
      expect(store.expiredPutCount).toBe(1)
      expect(changelog).toHaveLength(logged + 1)
      expect(await starts(store.fetchRange('a', -Infinity, Infinity))).toEqual([100_001, 400_000])
    })

    test('reads skip expired windows at once, before their segment is dropped', async () => {
      const { store } = await setup()
      store.put('a', 200_000, 1) // segment 1
      store.put('a', 550_000, 2) // the oldest live start is 250 001, also in segment 1, which stays
      expect(await store.fetch('a', 200_000)).toBeUndefined()
      expect(await keyStarts(store.all())).toEqual([550_000])
    })

    test('expired segments are dropped from the backend, without changelog records', async () => {
      const { store, bytes, backend, changelog } = await setup()
      store.put('a', 0, 1) // segment 0
      store.put('a', 160_000, 2) // segment 1
      store.put('a', 310_000, 3) // segment 2: the oldest live start is 10 001, in segment 0, so nothing goes
      await bytes.flush()
      expect(await segmentsOnDisk(backend)).toEqual([0, 1, 2])
      store.put('a', 460_000, 4) // segment 3: the oldest live start is 160 001, in segment 1: segment 0 goes
      await bytes.flush()
      expect(await segmentsOnDisk(backend)).toEqual([1, 2, 3])
      expect(changelog.every(({ value }) => value !== null)).toBe(true)
    })

    test('stream time counts removals too, as in Kafka Streams', async () => {
      const { store } = await setup()
      store.put('a', 0, 1)
      store.put('b', 400_000, null)
      expect(await store.fetch('a', 0)).toBeUndefined()
    })
  })

  describe('changelog and restore', () => {
    test('changelog records carry the store key bytes, which decode to the window', async () => {
      const { store, changelog, bytes, backend } = await setup()
      store.put('ab', -20_000, 5)
      await bytes.flush()
      const [record] = changelog
      expect(decodeWindowKey(record!.key)).toMatchObject({ key: Buffer.from('ab'), start: -20_000 })
      const [stored] = await collect(backend.range())
      expect(stored!.key.equals(record!.key)).toBe(true)
    })

    test('a store restored from its changelog, written verbatim, answers as the original', async () => {
      const { store, changelog } = await setup()
      for (const [key, start] of [['a', 0], ['b', 150_000], ['a', 200_000], ['a', -10]] as const) store.put(key, start, start)
      store.put('b', 150_000, null)
      const restored = await backends.open()
      await restored.write(changelog)
      const { store: again } = await setup(restored)
      expect(await collect(again.all())).toEqual(await collect(store.all()))
      expect(await collect(again.fetchRange('a', -Infinity, Infinity))).toEqual(await collect(store.fetchRange('a', -Infinity, Infinity)))
    })

    test('after a restore, stream time comes from the newest segment: expired windows are skipped, dropped, and late puts ignored', async () => {
      const { store, changelog } = await setup()
      store.put('a', 0, 1)
      store.put('a', 600_000, 2) // stream time 600 000: window 0 expired (but its record is in the changelog)
      const restored = await backends.open()
      await restored.write(changelog)
      const { store: again, bytes } = await setup(restored)
      expect(await keyStarts(again.all())).toEqual([600_000])
      await bytes.flush()
      expect(await segmentsOnDisk(restored)).toEqual([4])
      again.put('a', 100_000, 3)
      expect(again.expiredPutCount).toBe(1)
    })
  })

  describe('arguments', () => {
    test('a window start that is not an integer is refused with StateTimestampError', async () => {
      const { store } = await setup()
      expect(() => store.put('a', 1.5, 1)).toThrow(StateTimestampError)
      expect(() => store.put('a', Number.NaN, 1)).toThrow(/windowStart/)
      await expect(store.fetch('a', Infinity)).rejects.toMatchObject({ code: 'TRIBUTARY_STATE_TIMESTAMP', store: 'clicks' })
    })

    test('NaN bounds are refused; infinite bounds mean no bound', async () => {
      const { store } = await setup()
      store.put('a', 0, 1)
      await expect(collect(store.fetchRange('a', Number.NaN, 0))).rejects.toBeInstanceOf(StateTimestampError)
      expect(await keyStarts(store.fetchAll(-Infinity, Infinity))).toEqual([0])
    })

    test('a retention shorter than the window, or a window size that is not a positive integer, is a ConfigError', async () => {
      const { bytes } = await setup()
      const make = (windowSizeMs: number, retentionMs: number) => () => new LoggedWindowStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'w', windowSizeMs, retentionMs })
      expect(make(60_000, 59_999)).toThrow(ConfigError)
      expect(make(0, 60_000)).toThrow(ConfigError)
      expect(make(60_000, 60_000)).not.toThrow()
    })
  })
})
