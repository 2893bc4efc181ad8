import { describe, expect, test } from 'vitest'
import type { StoreBackend, StoreBackendFactory } from '../../state/backend/types.js'
import { StateStoreLockedError } from '../../state/errors.js'
import { bytes, collect, hexEntries, useBackends } from './helpers.js'

/** What a backend does beyond the common contract, so the suite knows what to check. */
export interface BackendSupports {
  /** Data survives close and reopen of the same directory. */
  readonly reopen: boolean
  /** A second open of a directory in use fails with StateStoreLockedError. */
  readonly exclusiveDirectory: boolean
  /** approximateCount is exact even after overwrites and deletes. */
  readonly exactCount: boolean
}

const put = (key: string, value: string): { key: Buffer; value: Buffer } => ({ key: bytes(key), value: Buffer.from(value) })
const del = (key: string): { key: Buffer; value: null } => ({ key: bytes(key), value: null })

/** Keys in unsigned byte order: the empty key, zero bytes, prefixes before their extensions, 0xff last. */
const ORDERED_KEYS = ['', '00', '0000', '0001', '01', '7f', '80', '80ff', 'fe', 'ff', 'ff00', 'ffff']

async function value(backend: StoreBackend, key: string): Promise<string | undefined> {
  return (await backend.get(bytes(key)))?.toString()
}

/** The StoreBackend contract, run against one implementation. */
export function backendContractSuite(name: string, factory: StoreBackendFactory, supports: BackendSupports): void {
  describe(`StoreBackend contract: ${name}`, () => {
    const backends = useBackends(factory)

    describe('get and getMany', () => {
      test('a key never written reads as undefined', async () => {
        const backend = await backends.open()
        expect(await backend.get(bytes('01'))).toBeUndefined()
      })

      test('a written key reads back its value', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'one')])
        expect(await value(backend, '01')).toBe('one')
      })

      test('an empty value reads back as an empty buffer, not as missing', async () => {
        const backend = await backends.open()
        await backend.write([put('01', '')])
        const read = await backend.get(bytes('01'))
        expect(read).toBeInstanceOf(Buffer)
        expect(read?.length).toBe(0)
      })

      test('the empty key is a key like any other', async () => {
        const backend = await backends.open()
        await backend.write([put('', 'empty')])
        expect(await value(backend, '')).toBe('empty')
      })

      test('many gets issued at once each get their own value', async () => {
        const backend = await backends.open()
        const keys = Array.from({ length: 2_000 }, (_, i) => i.toString(16).padStart(4, '0'))
        await backend.write(keys.filter((_, i) => i % 3 !== 0).map((key) => put(key, `v${key}`)))
        const values = await Promise.all(keys.map((key) => backend.get(bytes(key))))
        expect(values.map((v) => v?.toString())).toEqual(keys.map((key, i) => (i % 3 === 0 ? undefined : `v${key}`)))
      })

      test('getMany answers in the order asked, undefined for missing keys, repeats included', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'one'), put('02', 'two')])
        const values = await backend.getMany([bytes('02'), bytes('03'), bytes('01'), bytes('02')])
        expect(values.map((v) => v?.toString())).toEqual(['two', undefined, 'one', 'two'])
      })

      test('getMany of no keys is empty', async () => {
        const backend = await backends.open()
        expect(await backend.getMany([])).toEqual([])
      })
    })

    describe('write and deleteRange', () => {
      test('a batch applies in order: the last write of a key wins', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'a'), del('01'), del('02'), put('02', 'b'), put('03', 'c'), put('03', 'd')])
        expect([await value(backend, '01'), await value(backend, '02'), await value(backend, '03')]).toEqual([undefined, 'b', 'd'])
      })

      test('a delete removes a key written by an earlier batch', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'a'), put('02', 'b')])
        await backend.write([del('01')])
        expect(hexEntries(await collect(backend.range()))).toEqual([['02', 'b']])
      })

      test('an empty batch changes nothing', async () => {
        const backend = await backends.open()
        await backend.write([])
        expect(await collect(backend.range())).toEqual([])
      })

      test('deleteRange removes [gte, lt): the lower bound included, the upper excluded', async () => {
        const backend = await backends.open()
        await backend.write(ORDERED_KEYS.map((key) => put(key, key)))
        await backend.deleteRange(bytes('0001'), bytes('80ff'))
        expect(hexEntries(await collect(backend.range())).map(([key]) => key)).toEqual(['', '00', '0000', '80ff', 'fe', 'ff', 'ff00', 'ffff'])
      })

      test('deleteRange with gte at or past lt deletes nothing', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'a'), put('02', 'b')])
        await backend.deleteRange(bytes('02'), bytes('01'))
        await backend.deleteRange(bytes('01'), bytes('01'))
        expect(await collect(backend.range())).toHaveLength(2)
      })
    })

    describe('range', () => {
      async function ordered(): Promise<StoreBackend> {
        const backend = await backends.open()
        // Written out of order, in two batches, so order is the backend's doing.
        const shuffled = [...ORDERED_KEYS].reverse()
        await backend.write(shuffled.slice(0, 6).map((key) => put(key, key)))
        await backend.write(shuffled.slice(6).map((key) => put(key, key)))
        return backend
      }
      const keysOf = async (iterable: AsyncIterable<{ key: Buffer }>): Promise<string[]> => (await collect(iterable)).map(({ key }) => key.toString('hex'))

      test('yields every entry in unsigned byte order: 0x00 and 0xff bytes, prefixes first', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range())).toEqual(ORDERED_KEYS)
      })

      test('yields values with their keys', async () => {
        const backend = await ordered()
        expect(hexEntries(await collect(backend.range({ gte: bytes('7f'), lt: bytes('80ff') })))).toEqual([
          ['7f', '7f'],
          ['80', '80'],
        ])
      })

      test('gte is inclusive and lt exclusive', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range({ gte: bytes('0000'), lt: bytes('80') }))).toEqual(['0000', '0001', '01', '7f'])
      })

      test('bounds need not be keys that exist', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range({ gte: bytes('000001'), lt: bytes('fe00') }))).toEqual(['0001', '01', '7f', '80', '80ff', 'fe'])
      })

      test('either bound may be left out', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range({ lt: bytes('01') }))).toEqual(['', '00', '0000', '0001'])
        expect(await keysOf(backend.range({ gte: bytes('ff') }))).toEqual(['ff', 'ff00', 'ffff'])
      })

      test('reverse yields the same entries from the last', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range({ gte: bytes('00'), lt: bytes('ff'), reverse: true }))).toEqual(['fe', '80ff', '80', '7f', '01', '0001', '0000', '00'])
      })

      test('limit stops after that many entries, from either end', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range({ gte: bytes('01'), limit: 3 }))).toEqual(['01', '7f', '80'])
        expect(await keysOf(backend.range({ lt: bytes('80'), reverse: true, limit: 2 }))).toEqual(['7f', '01'])
        expect(await keysOf(backend.range({ limit: 0 }))).toEqual([])
      })

      test('an empty or inverted range yields nothing', async () => {
        const backend = await ordered()
        expect(await keysOf(backend.range({ gte: bytes('7f'), lt: bytes('7f') }))).toEqual([])
        expect(await keysOf(backend.range({ gte: bytes('80'), lt: bytes('7f') }))).toEqual([])
        expect(await keysOf(backend.range({ lt: Buffer.alloc(0) }))).toEqual([])
      })

      test('a scan longer than one fetch of the binding yields every entry once', async () => {
        const backend = await backends.open()
        const keys = Array.from({ length: 3_000 }, (_, i) => i.toString(16).padStart(4, '0'))
        await backend.write(keys.map((key) => put(key, key)))
        expect(await keysOf(backend.range())).toEqual(keys)
        expect(await keysOf(backend.range({ reverse: true, limit: 2_500 }))).toEqual([...keys].reverse().slice(0, 2_500))
      })

      test('leaving a scan early releases it, and the backend still closes', async () => {
        const backend = await backends.open()
        await backend.write(Array.from({ length: 2_000 }, (_, i) => put(i.toString(16).padStart(4, '0'), 'x')))
        for await (const entry of backend.range()) {
          expect(entry.key.toString('hex')).toBe('0000')
          break
        }
        await backend.close()
      })
    })

    describe('approximateCount', () => {
      test('counts distinct keys written once', async () => {
        const backend = await backends.open()
        expect(await backend.approximateCount()).toBe(0)
        await backend.write(Array.from({ length: 500 }, (_, i) => put(i.toString(16).padStart(4, '0'), 'x')))
        expect(await backend.approximateCount()).toBe(500)
      })

      test.runIf(supports.exactCount)('stays exact across overwrites and deletes', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'a'), put('02', 'b'), put('01', 'c')])
        await backend.write([del('02'), put('03', 'd')])
        await backend.deleteRange(bytes('03'), bytes('04'))
        expect(await backend.approximateCount()).toBe(1)
      })
    })

    describe('flush and close', () => {
      test('flush keeps every entry readable', async () => {
        const backend = await backends.open()
        await backend.write([put('01', 'a'), put('02', 'b')])
        await backend.flush()
        await backend.write([del('01')])
        await backend.flush()
        expect(hexEntries(await collect(backend.range()))).toEqual([['02', 'b']])
      })

      test('close may be called twice', async () => {
        const backend = await backends.open()
        await backend.close()
        await backend.close()
      })

      test.runIf(supports.reopen)('reopening the directory finds what was written and flushed', async () => {
        const dir = backends.dir()
        const first = await backends.open(dir)
        await first.write([put('01', 'a'), put('02', 'b'), del('01')])
        await first.flush()
        await first.close()
        const second = await backends.open(dir)
        expect(hexEntries(await collect(second.range()))).toEqual([['02', 'b']])
      })

      test.runIf(supports.reopen)('reopening finds writes made after the last flush (replayed from the write-ahead log)', async () => {
        const dir = backends.dir()
        const first = await backends.open(dir)
        await first.write([put('01', 'a')])
        await first.flush()
        await first.write([put('02', 'b')])
        await first.close()
        const second = await backends.open(dir)
        expect(hexEntries(await collect(second.range()))).toEqual([
          ['01', 'a'],
          ['02', 'b'],
        ])
      })

      test.runIf(supports.exclusiveDirectory)('a second open of a directory in use fails with StateStoreLockedError naming it', async () => {
        const dir = backends.dir()
        await backends.open(dir)
        const second = backends.open(dir)
        await expect(second).rejects.toBeInstanceOf(StateStoreLockedError)
        await expect(second).rejects.toMatchObject({ code: 'TRIBUTARY_STATE_LOCKED', dir, retriable: true })
      })

      test.runIf(supports.exclusiveDirectory)('a directory can be opened again once its owner closed it', async () => {
        const dir = backends.dir()
        const first = await backends.open(dir)
        await first.close()
        const second = await backends.open(dir)
        expect(await second.get(bytes('01'))).toBeUndefined()
      })
    })
  })
}
