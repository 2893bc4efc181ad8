import RocksDB from 'rocksdb-native'
import { StateStoreClosedError, StateStoreIoError, StateStoreLockedError, StateStoreOpenError } from '../errors.js'
import type { BackendEntry, BackendRange, BackendWrite, StoreBackend, StoreBackendFactory } from './types.js'

/** Entries the binding hands over per iterator round trip: scans cost one hop per thousand keys. */
const RANGE_CAPACITY = 1024
/** Gets sent in one read batch at most; a burst larger than this goes out as several batches. */
const MAX_READ_BATCH = 4096

/** Settings of the RocksDB shards; every shard of every store gets its own database with these. */
export interface RocksDBStoreOptions {
  /**
   * Memtable size per shard (default 16 MiB, as Kafka Streams). A shard holds up to
   * `maxWriteBuffers` of them, so the memtables of an app take at most shards ×
   * writeBufferSizeBytes × maxWriteBuffers (8 shards at the defaults: 256 MiB). They fill only
   * between commits, which flush them; a restore, which writes without commits, fills them. Smaller
   * memtables mean more, smaller table files and more compaction; 16 MiB keeps 8 shards of
   * 10 million keys in about 350 MB of memory when reading and 530 MB at the peak of a bulk load.
   */
  readonly writeBufferSizeBytes?: number
  /** Memtables per shard: one takes writes while the others flush (default 2). */
  readonly maxWriteBuffers?: number
  /**
   * Whether each shard keeps a block cache of recently read blocks (default false). The binding
   * cannot size it: when on, it is RocksDB's 32 MiB per shard, which adds up across shards (8
   * shards of random reads: 600 MB instead of 350 MB). Off, data blocks are read through the
   * operating system's page cache, which is shared by all shards and does not count against the
   * process; index and filter blocks stay in memory either way.
   */
  readonly blockCache?: boolean
  /** Bloom filter bits per key, so a get of a missing key rarely touches disk (default 10; 0 disables). */
  readonly bloomFilterBitsPerKey?: number
}

/**
 * A shard in a RocksDB database of its own. Gets issued in the same tick go to RocksDB as one
 * read batch; writes as one write batch; scans fetch a thousand entries per hop.
 */
export class RocksDBBackend implements StoreBackend {
  readonly kind = 'rocksdb' as const
  readonly synchronous = false
  private reads: RocksDB.ReadBatch | undefined
  private readsInBatch = 0
  private closed = false

  private constructor(
    private readonly db: RocksDB,
    readonly dir: string,
  ) {}

  /**
   * Opens (creating if missing) the database in `dir`. Throws `StateStoreLockedError` when
   * another process or store has it open, `StateStoreOpenError` for any other failure.
   *
   * @example
   * const backend = await RocksDBBackend.open('/var/lib/app/counts-0', { writeBufferSizeBytes: 8 << 20 })
   */
  static async open(dir: string, options: RocksDBStoreOptions = {}): Promise<RocksDBBackend> {
    const bits = options.bloomFilterBitsPerKey ?? 10
    const blockCache = options.blockCache ?? false
    const db = new RocksDB(dir, {
      writeBufferSize: options.writeBufferSizeBytes ?? 16 << 20,
      maxWriteBufferNumber: options.maxWriteBuffers ?? 2,
      blockCache,
      tableCacheIndexAndFilterBlocks: blockCache,
      filterPolicy: bits > 0 ? new RocksDB.BloomFilterPolicy(bits) : null,
    })
    try {
      await db.ready()
    } catch (error) {
      // RocksDB reports a held LOCK file as an I/O error whose message names the lock.
      throw isLockError(error) ? new StateStoreLockedError(dir, error) : new StateStoreOpenError(dir, error)
    }
    return new RocksDBBackend(db, dir)
  }

  /** Gets, puts and batches since open: `readBatches` against `gets` shows how well reads coalesce. */
  get stats(): RocksDB.Stats {
    return { ...this.db.stats }
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    this.assertOpen('get')
    if (this.reads === undefined || this.readsInBatch >= MAX_READ_BATCH) {
      const batch = this.db.read({ capacity: 64, autoDestroy: true })
      this.reads = batch
      this.readsInBatch = 0
      // Every get of this tick joins the batch; it leaves once the current code yields.
      process.nextTick(() => {
        if (this.reads === batch) this.reads = undefined
        batch.tryFlush()
      })
    }
    this.readsInBatch++
    return this.reads.get(key).then(orUndefined, (error: unknown) => this.fail('get', error))
  }

  getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    this.assertOpen('getMany')
    if (keys.length === 0) return Promise.resolve([])
    const batch = this.db.read({ capacity: keys.length, autoDestroy: true })
    const values = keys.map((key) => batch.get(key))
    batch.tryFlush()
    return Promise.all(values).then((found) => found.map(orUndefined), (error: unknown) => this.fail('getMany', error))
  }

  async write(writes: readonly BackendWrite[]): Promise<void> {
    this.assertOpen('write')
    if (writes.length === 0) return
    const batch = this.db.write({ capacity: writes.length, autoDestroy: true })
    for (const { key, value } of writes) {
      if (value === null) batch.tryDelete(key)
      else batch.tryPut(key, value)
    }
    await batch.flush().catch((error: unknown) => this.fail('write', error))
  }

  async deleteRange(gte: Buffer, lt: Buffer): Promise<void> {
    this.assertOpen('deleteRange')
    if (Buffer.compare(gte, lt) >= 0) return
    const batch = this.db.write({ capacity: 1, autoDestroy: true })
    batch.tryDeleteRange(gte, lt)
    await batch.flush().catch((error: unknown) => this.fail('deleteRange', error))
  }

  async *range(range: BackendRange = {}): AsyncIterable<BackendEntry> {
    this.assertOpen('range')
    const limit = range.limit ?? Infinity
    if (limit <= 0) return
    // The binding reads an empty bound as no bound: nothing sorts below the empty key.
    if (range.lt !== undefined && range.lt.length === 0) return
    if (range.gte !== undefined && range.lt !== undefined && Buffer.compare(range.gte, range.lt) >= 0) return
    const iterator = this.db.iterator({
      ...(range.gte === undefined ? {} : { gte: range.gte }),
      ...(range.lt === undefined ? {} : { lt: range.lt }),
      reverse: range.reverse === true,
      limit,
      capacity: Math.min(limit, RANGE_CAPACITY),
    })
    try {
      yield* iterator
    } catch (error) {
      this.fail('range', error)
    }
  }

  /**
   * RocksDB's own estimate (`rocksdb.estimate-num-keys`): exact after distinct puts, but it
   * counts an overwritten or deleted key until compaction merges the versions, so it may run
   * high; it is an estimate, as the contract says, and costs nothing to read.
   */
  async approximateCount(): Promise<number> {
    this.assertOpen('approximateCount')
    const estimate = await this.db.getProperty('rocksdb.estimate-num-keys').catch((error: unknown) => this.fail('approximateCount', error))
    return Number(estimate ?? 0)
  }

  /** Flushes the memtable into a table file, so what was written survives without replaying the WAL. */
  async flush(): Promise<void> {
    this.assertOpen('flush')
    await this.db.flush().catch((error: unknown) => this.fail('flush', error))
  }

  /** Waits for reads, writes and open scans to finish, then closes the database; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.db.close()
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StateStoreClosedError(this.dir, operation)
  }

  private fail(operation: string, error: unknown): never {
    throw new StateStoreIoError(this.dir, operation, error)
  }
}

function orUndefined(value: Buffer | null): Buffer | undefined {
  return value ?? undefined
}

function isLockError(error: unknown): boolean {
  return error instanceof Error && /\block\b/i.test(error.message)
}

/**
 * Stores kept in RocksDB, one database per store shard under the app's state directory: state
 * larger than memory, and a restart that finds its state on disk replays only the changelog's
 * tail. Memory per shard is bounded by its memtables (`writeBufferSizeBytes` × `maxWriteBuffers`,
 * 32 MiB at the defaults) plus index and filter blocks (about 1.3 bytes per key with the Bloom filter).
 *
 * @example
 * new App({ id: 'counts', log, stores: rocksdbStores({ writeBufferSizeBytes: 8 << 20 }) })
 */
export function rocksdbStores(options: RocksDBStoreOptions = {}): StoreBackendFactory {
  return { kind: 'rocksdb', persistent: true, open: (dir) => RocksDBBackend.open(dir, options) }
}
