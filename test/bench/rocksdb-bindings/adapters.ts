/**
 * The three npm RocksDB bindings behind one small interface, so the benchmark worker times the
 * same operations on each. None of them ships TypeScript types, so each is typed here with the
 * few members the benchmark calls. Each adapter uses its binding's own bulk API where it has one
 * (write batches, multi-gets, batched iteration) and the binding's default DB options otherwise.
 *
 * @example
 * const binding = loadBinding('rocksdb-native', bindingsDir)
 * const db = await binding.open('/tmp/some-dir')
 * await db.putBatch([key], [value])
 * await db.close()
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The bindings compared, by the id used in workload names. */
export const bindingIds = ['rocksdb-native', 'rocksdb', 'nxtedition-rocksdb'] as const
export type BindingId = (typeof bindingIds)[number]

/** The npm package behind each id, and the version installed on demand for the ones the project does not depend on. */
export const bindingPackages: Readonly<Record<BindingId, { readonly name: string; readonly pinned: string | null }>> = {
  'rocksdb-native': { name: 'rocksdb-native', pinned: null }, // the project's own dependency
  rocksdb: { name: 'rocksdb', pinned: '5.2.1' },
  'nxtedition-rocksdb': { name: '@nxtedition/rocksdb', pinned: '12.2.12' },
}

export function isBindingId(text: string): text is BindingId {
  return (bindingIds as readonly string[]).includes(text)
}

/** What the benchmark does to a database, whatever the binding. */
export interface BenchDb {
  /** Writes all pairs as one write batch and waits until it is applied. */
  putBatch(keys: readonly Buffer[], values: readonly Buffer[]): Promise<void>
  put(key: Buffer, value: Buffer): Promise<void>
  /** The value, or null/undefined when the key is missing. */
  get(key: Buffer): Promise<Buffer | null | undefined>
  /** Many point reads in one call to the binding. */
  getBatch(keys: readonly Buffer[]): Promise<ReadonlyArray<Buffer | null | undefined>>
  /** Every entry in key order. */
  scan(onEntry: (key: Buffer, value: Buffer) => void): Promise<void>
  close(): Promise<void>
}

export interface LoadedBinding {
  readonly id: BindingId
  readonly packageName: string
  readonly version: string
  open(dir: string): Promise<BenchDb>
}

/**
 * Loads a binding: `rocksdb-native` from the project's own dependencies, the others from
 * `bindingsDir` (where the benchmark installs them). Throws when the package or its native
 * addon cannot be loaded.
 */
export function loadBinding(id: BindingId, bindingsDir: string): LoadedBinding {
  const packageName = bindingPackages[id].name
  const require =
    id === 'rocksdb-native' ? createRequire(import.meta.url) : createRequire(join(bindingsDir, 'loader.cjs'))
  const entry = require.resolve(packageName)
  const version = packageVersion(dirname(entry))
  const exports: unknown = require(entry)
  switch (id) {
    case 'rocksdb-native':
      return { id, packageName, version, open: (dir) => openNative(exports as NativeCtor, dir) }
    case 'rocksdb':
      return { id, packageName, version, open: (dir) => openLeveldown(exports as LeveldownFactory, dir) }
    case 'nxtedition-rocksdb':
      return {
        id,
        packageName,
        version,
        open: (dir) => openRocksLevel((exports as RocksLevelModule).RocksLevel, dir),
      }
  }
}

/** The entry points of all three sit at their package root. */
function packageVersion(packageDir: string): string {
  const parsed: unknown = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
    return parsed.version
  }
  return 'unknown'
}

function settle<T>(resolve: (value: T) => void, reject: (error: Error) => void): (error: Error | null | undefined, value?: T) => void {
  return (error, value) => (error ? reject(error) : resolve(value as T))
}

// ---------------------------------------------------------------------------------------------
// rocksdb-native (Holepunch): promise API; every read and write is a batch flushed on a worker thread.

interface NativeWriteBatch {
  /** Adds a put without creating a per-put promise (what `db.put` itself uses). */
  tryPut(key: Buffer, value: Buffer): void
  flush(): Promise<void>
}

interface NativeReadBatch {
  get(key: Buffer): Promise<Buffer | null>
  flush(): Promise<void>
}

interface NativeBatchOptions {
  readonly capacity?: number
  /** Frees the batch when its flush settles; an undestroyed batch keeps `close()` waiting. */
  readonly autoDestroy?: boolean
}

interface NativeDb {
  ready(): Promise<void>
  close(): Promise<void>
  put(key: Buffer, value: Buffer): Promise<void>
  get(key: Buffer): Promise<Buffer | null>
  write(options?: NativeBatchOptions): NativeWriteBatch
  read(options?: NativeBatchOptions): NativeReadBatch
  iterator(range: object, options?: { readonly capacity?: number }): AsyncIterable<{ key: Buffer; value: Buffer }>
}

type NativeCtor = new (path: string) => NativeDb

/** Entries the iterator fetches per call into the addon (its default is 8). */
const nativeIteratorCapacity = 1024


async function openNative(RocksDB: NativeCtor, dir: string): Promise<BenchDb> {
  const db = new RocksDB(dir)
  await db.ready()
  return {
    async putBatch(keys, values) {
      const batch = db.write({ capacity: keys.length, autoDestroy: true })
      for (let i = 0; i < keys.length; i++) batch.tryPut(keys[i]!, values[i]!)
      await batch.flush()
    },
    put: (key, value) => db.put(key, value),
    get: (key) => db.get(key),
    async getBatch(keys) {
      const batch = db.read({ capacity: keys.length, autoDestroy: true })
      const reads = keys.map((key) => batch.get(key))
      const flushed = batch.flush()
      const values = await Promise.all(reads)
      await flushed
      return values
    },
    async scan(onEntry) {
      for await (const { key, value } of db.iterator({}, { capacity: nativeIteratorCapacity })) onEntry(key, value)
    },
    close: () => db.close(),
  }
}

// ---------------------------------------------------------------------------------------------
// rocksdb (Level, abstract-leveldown 7): callback API; reads and writes run on libuv's thread pool.

type Callback<T> = (error: Error | null | undefined, value?: T) => void

interface Leveldown {
  open(options: { readonly createIfMissing: boolean }, callback: Callback<void>): void
  close(callback: Callback<void>): void
  put(key: Buffer, value: Buffer, callback: Callback<void>): void
  get(key: Buffer, options: { readonly asBuffer: true }, callback: Callback<Buffer>): void
  getMany(keys: Buffer[], options: { readonly asBuffer: true }, callback: Callback<Array<Buffer | undefined>>): void
  batch(operations: Array<{ type: 'put'; key: Buffer; value: Buffer }>, callback: Callback<void>): void
  iterator(options: { readonly keyAsBuffer: true; readonly valueAsBuffer: true }): LeveldownIterator
}

interface LeveldownIterator {
  next(callback: (error: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void
  end(callback: Callback<void>): void
}

type LeveldownFactory = (location: string) => Leveldown


async function openLeveldown(rocksdb: LeveldownFactory, dir: string): Promise<BenchDb> {
  const db = rocksdb(dir)
  await new Promise<void>((resolve, reject) => db.open({ createIfMissing: true }, settle(resolve, reject)))
  return {
    putBatch(keys, values) {
      const operations = keys.map((key, i) => ({ type: 'put' as const, key, value: values[i]! }))
      return new Promise((resolve, reject) => db.batch(operations, settle(resolve, reject)))
    },
    put: (key, value) => new Promise((resolve, reject) => db.put(key, value, settle(resolve, reject))),
    get: (key) => new Promise((resolve, reject) => db.get(key, { asBuffer: true }, settle(resolve, reject))),
    getBatch: (keys) =>
      new Promise((resolve, reject) => db.getMany([...keys], { asBuffer: true }, settle(resolve, reject))),
    scan(onEntry) {
      const iterator = db.iterator({ keyAsBuffer: true, valueAsBuffer: true })
      return new Promise((resolve, reject) => {
        const step = (error: Error | null | undefined, key?: Buffer, value?: Buffer): void => {
          if (error) {
            iterator.end(() => reject(error))
          } else if (key === undefined || value === undefined) {
            iterator.end(settle(resolve, reject))
          } else {
            onEntry(key, value)
            iterator.next(step) // cached entries come back on process.nextTick, so this does not grow the stack
          }
        }
        iterator.next(step)
      })
    },
    close: () => new Promise((resolve, reject) => db.close(settle(resolve, reject))),
  }
}

// ---------------------------------------------------------------------------------------------
// @nxtedition/rocksdb (abstract-level 1): promise API, but batch writes and iterator reads
// run synchronously on the JS thread; getMany runs on the thread pool.

interface RocksLevelChainedBatch {
  put(key: Buffer, value: Buffer): RocksLevelChainedBatch
  write(): Promise<void>
}

interface RocksLevelIterator {
  nextv(size: number): Promise<Array<[Buffer, Buffer]>>
  close(): Promise<void>
}

interface RocksLevel {
  open(): Promise<void>
  close(): Promise<void>
  put(key: Buffer, value: Buffer): Promise<void>
  get(key: Buffer): Promise<Buffer | undefined>
  getMany(keys: Buffer[]): Promise<Array<Buffer | undefined>>
  batch(): RocksLevelChainedBatch
  iterator(): RocksLevelIterator
}

interface RocksLevelModule {
  RocksLevel: new (location: string, options: { keyEncoding: 'buffer'; valueEncoding: 'buffer' }) => RocksLevel
}

/** Entries per `nextv` call. */
const rocksLevelNextvSize = 1000


async function openRocksLevel(RocksLevelCtor: RocksLevelModule['RocksLevel'], dir: string): Promise<BenchDb> {
  const db = new RocksLevelCtor(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await db.open()
  return {
    putBatch(keys, values) {
      const batch = db.batch()
      for (let i = 0; i < keys.length; i++) batch.put(keys[i]!, values[i]!)
      return batch.write()
    },
    put: (key, value) => db.put(key, value),
    get: (key) => db.get(key),
    getBatch: (keys) => db.getMany([...keys]),
    async scan(onEntry) {
      const iterator = db.iterator()
      try {
        for (;;) {
          const entries = await iterator.nextv(rocksLevelNextvSize)
          if (entries.length === 0) break
          for (const [key, value] of entries) onEntry(key, value)
        }
      } finally {
        await iterator.close()
      }
    },
    close: () => db.close(),
  }
}
