import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../core/errors.js'
import { serdes } from '../../core/serde/serdes.js'
import type { StoreBackend } from '../../state/backend/types.js'
import { StateTimestampError } from '../../state/errors.js'
import { decodeSessionKey } from '../../state/session-key.js'
import { LoggedSessionStore } from '../../state/session-store.js'
import type { KeyValue, Windowed } from '../../state/types.js'
import { backendFactories, collect, loggedBytes, segmentsOnDisk, useBackends } from './helpers.js'

/** Retention 5 minutes: segments of 150 s (of session end). */
const RETENTION = 300_000

const session = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } })

/** Sessions as [key, start, end, value] rows. */
async function rows(iterable: AsyncIterable<KeyValue<Windowed<string>, number>>): Promise<[string, number, number, number][]> {
  return (await collect(iterable)).map(({ key, value }) => [key.key, key.window.start, key.window.end, value])
}

describe.each(backendFactories)('LoggedSessionStore on $name', ({ factory }) => {
  const backends = useBackends(factory)

  async function setup(backend?: StoreBackend) {
    const opened = backend ?? (await backends.open())
    const { bytes, changelog } = loggedBytes(opened)
    const store = new LoggedSessionStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'visits', retentionMs: RETENTION })
    return { store, bytes, changelog, backend: opened }
  }

  describe('put, fetchSession and remove', () => {
    test('a put session is fetched back by key, start and end', async () => {
      const { store } = await setup()
      store.put(session('a', 1_000, 4_000), 2)
      expect(await store.fetchSession('a', 1_000, 4_000)).toBe(2)
    })

    test('other bounds or another key read as undefined', async () => {
      const { store } = await setup()
      store.put(session('a', 1_000, 4_000), 2)
      expect(await store.fetchSession('a', 1_000, 4_001)).toBeUndefined()
      expect(await store.fetchSession('a', 0, 4_000)).toBeUndefined()
      expect(await store.fetchSession('b', 1_000, 4_000)).toBeUndefined()
    })

    test('remove deletes the session, pending or stored', async () => {
      const { store, bytes } = await setup()
      store.put(session('a', 0, 10), 1)
      store.put(session('a', 20, 30), 2)
      await bytes.flush()
      store.remove(session('a', 0, 10))
      expect(await store.fetchSession('a', 0, 10)).toBeUndefined()
      await bytes.flush()
      expect(await rows(store.fetch('a'))).toEqual([['a', 20, 30, 2]])
    })

    test('a session of a single instant (start = end) is a session', async () => {
      const { store } = await setup()
      store.put(session('a', 0, 0), 1)
      expect(await store.fetchSession('a', 0, 0)).toBe(1)
    })
  })

  describe('findSessions', () => {
    test('yields the sessions of the key ending at or after earliestSessionEnd and starting at or before latestSessionStart', async () => {
      const { store } = await setup()
      store.put(session('a', 0, 10), 1)
      store.put(session('a', 20, 30), 2)
      store.put(session('a', 50, 100), 3)
      store.put(session('a', 70, 80), 4)
      store.put(session('b', 20, 30), 9)
      expect(await rows(store.findSessions('a', 25, 60))).toEqual([
        ['a', 20, 30, 2],
        ['a', 50, 100, 3],
      ])
      expect(await rows(store.findSessions('a', 30, 20))).toEqual([['a', 20, 30, 2]])
      expect(await rows(store.findSessions('a', 101, 1_000))).toEqual([])
    })

    test('orders sessions by end, then start', async () => {
      const { store } = await setup()
      store.put(session('a', 5, 10), 1)
      store.put(session('a', 0, 10), 2)
      store.put(session('a', 8, 9), 3)
      expect(await rows(store.findSessions('a', -Infinity, Infinity))).toEqual([
        ['a', 8, 9, 3],
        ['a', 0, 10, 2],
        ['a', 5, 10, 1],
      ])
    })

    test('spans segments, with stored and pending sessions merged', async () => {
      const { store, bytes } = await setup()
      store.put(session('a', 0, 100_000), 1) // segment 0
      store.put(session('a', 140_000, 160_000), 2) // segment 1
      await bytes.flush()
      store.put(session('a', 200_000, 310_000), 3) // segment 2
      store.remove(session('a', 0, 100_000))
      expect(await rows(store.findSessions('a', 0, 300_000))).toEqual([
        ['a', 140_000, 160_000, 2],
        ['a', 200_000, 310_000, 3],
      ])
    })

    test('never mixes in keys that are prefixes or extensions of the key', async () => {
      const { store } = await setup()
      for (const key of ['', 'a', 'a\0', 'ab']) store.put(session(key, 0, 10), key.length)
      expect(await rows(store.fetch('a'))).toEqual([['a', 0, 10, 1]])
      expect(await rows(store.fetch(''))).toEqual([['', 0, 10, 0]])
    })

    test('orders negative, zero and positive times', async () => {
      const { store } = await setup()
      store.put(session('a', 0, 1), 3)
      store.put(session('a', -160_000, -150_001), 1) // segment -2
      store.put(session('a', -10, 0), 2)
      expect(await rows(store.fetch('a'))).toEqual([
        ['a', -160_000, -150_001, 1],
        ['a', -10, 0, 2],
        ['a', 0, 1, 3],
      ])
      expect(await rows(store.findSessions('a', -5, -5))).toEqual([['a', -10, 0, 2]])
    })
  })

  describe('retention', () => {
    test('a session that ended before stream time minus retention is ignored, and not logged', async () => {
      const { store, changelog } = await setup()
      store.put(session('a', 390_000, 400_000), 1)
      const logged = changelog.length
      store.put(session('a', 0, 100_000), 2) // 400 000 - 300 000 + 1 is the oldest live end
      store.put(session('a', 0, 100_001), 3)
      expect(store.expiredPutCount).toBe(1)
      expect(changelog).toHaveLength(logged + 1)
      expect(await rows(store.fetch('a'))).toEqual([
        ['a', 0, 100_001, 3],
        ['a', 390_000, 400_000, 1],
      ])
    })

    test('reads skip expired sessions at once, and their segments are dropped from the backend', async () => {
      const { store, bytes, backend } = await setup()
      store.put(session('a', 0, 10), 1) // segment 0
      store.put(session('a', 100_000, 200_000), 2) // segment 1
      await bytes.flush()
      store.put(session('b', 460_000, 460_000), 3) // the oldest live end is 160 001: segment 0 goes
      expect(await store.fetchSession('a', 0, 10)).toBeUndefined()
      expect(await rows(store.fetch('a'))).toEqual([['a', 100_000, 200_000, 2]])
      await bytes.flush()
      expect(await segmentsOnDisk(backend)).toEqual([1, 3])
    })
  })

  describe('changelog and restore', () => {
    test('changelog records carry the store key bytes, which decode to the session', async () => {
      const { store, changelog, bytes, backend } = await setup()
      store.put(session('k', -5, 7), 1)
      await bytes.flush()
      expect(decodeSessionKey(changelog[0]!.key)).toMatchObject({ key: Buffer.from('k'), start: -5, end: 7 })
      const [stored] = await collect(backend.range())
      expect(stored!.key.equals(changelog[0]!.key)).toBe(true)
    })

    test('a store restored from its changelog, written verbatim, answers as the original; expired sessions stay out', async () => {
      const { store, changelog } = await setup()
      store.put(session('a', 0, 10), 1)
      store.put(session('a', 300_000, 320_000), 2)
      store.put(session('b', 310_000, 315_000), 3)
      store.remove(session('b', 310_000, 315_000))
      store.put(session('a', 600_000, 610_000), 4) // session [0, 10] expires
      const restored = await backends.open()
      await restored.write(changelog)
      const { store: again, bytes } = await setup(restored)
      expect(await rows(again.fetch('a'))).toEqual(await rows(store.fetch('a')))
      expect(await rows(again.fetch('a'))).toEqual([
        ['a', 300_000, 320_000, 2],
        ['a', 600_000, 610_000, 4],
      ])
      expect(await rows(again.fetch('b'))).toEqual([])
      await bytes.flush()
      expect(await segmentsOnDisk(restored)).toEqual([2, 4])
    })
  })

  describe('arguments', () => {
    test('a session ending before it starts is refused with StateTimestampError', async () => {
      const { store } = await setup()
      expect(() => store.put(session('a', 10, 5), 1)).toThrow(StateTimestampError)
      expect(() => store.remove(session('a', 0, 0.5))).toThrow(/session end/)
      await expect(store.fetchSession('a', 10, 5)).rejects.toMatchObject({ code: 'TRIBUTARY_STATE_TIMESTAMP' })
    })

    test('NaN bounds are refused', async () => {
      const { store } = await setup()
      await expect(collect(store.findSessions('a', Number.NaN, 0))).rejects.toBeInstanceOf(StateTimestampError)
    })

    test('a negative retention is a ConfigError', async () => {
      const { bytes } = await setup()
      expect(() => new LoggedSessionStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 's', retentionMs: -1 })).toThrow(ConfigError)
    })
  })
})
