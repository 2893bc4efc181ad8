/**
 * The storage engine under a store shard, in bytes: the only layer that knows RocksDB (or
 * memory), so the binding can change without touching stores, operators or the runtime.
 * Keys are ordered by unsigned byte order, as RocksDB's default comparator orders them.
 */

/** A key and its value, as stored. */
export interface BackendEntry {
  readonly key: Buffer
  readonly value: Buffer
}

/** A write: `value: null` deletes the key. */
export interface BackendWrite {
  readonly key: Buffer
  readonly value: Buffer | null
}

/** Bounds of a scan: `gte` inclusive, `lt` exclusive; either may be left out. */
export interface BackendRange {
  readonly gte?: Buffer
  readonly lt?: Buffer
  readonly reverse?: boolean
  readonly limit?: number
}

/**
 * One shard's storage. `get` may answer synchronously (memory) or with a promise (RocksDB):
 * callers that can go on synchronously do, and only await a promise.
 */
export interface StoreBackend {
  readonly kind: StoreBackendKind
  /** True when `get` always answers synchronously (memory): callers may then read without a promise. */
  readonly synchronous: boolean
  get(key: Buffer): Buffer | undefined | Promise<Buffer | undefined>
  /** Reads several keys in one round trip. */
  getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]>
  /** Applies the writes atomically, in order (a later write of a key wins). */
  write(writes: readonly BackendWrite[]): Promise<void>
  /** Deletes every key in [gte, lt). */
  deleteRange(gte: Buffer, lt: Buffer): Promise<void>
  /** Entries in key order (reverse order with `reverse`). */
  range(range?: BackendRange): AsyncIterable<BackendEntry>
  /** An estimate of the number of keys (exact for memory). */
  approximateCount(): Promise<number>
  /** Makes every write so far durable on disk (a no-op for memory). */
  flush(): Promise<void>
  close(): Promise<void>
}

export type StoreBackendKind = 'rocksdb' | 'memory'

/** Opens shards: a RocksDB database in `dir`, or a memory map (which ignores `dir`). */
export interface StoreBackendFactory {
  readonly kind: StoreBackendKind
  /** True when what is written survives the process (the local state directory is worth keeping). */
  readonly persistent: boolean
  open(dir: string): Promise<StoreBackend>
}

/** Compares keys in the backends' order (unsigned bytes). */
export function compareKeys(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b)
}

/** Whether `key` lies inside `range`'s bounds. */
export function inRange(key: Buffer, range: BackendRange): boolean {
  if (range.gte !== undefined && Buffer.compare(key, range.gte) < 0) return false
  if (range.lt !== undefined && Buffer.compare(key, range.lt) >= 0) return false
  return true
}
