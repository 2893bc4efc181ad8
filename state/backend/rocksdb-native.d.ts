/**
 * The part of `rocksdb-native` (CommonJS, shipped without types) that the RocksDB backend
 * uses. Read from the package's index.js and lib/*.js (3.18): keys and values are Buffers,
 * a missing key reads as `null`.
 */
declare module 'rocksdb-native' {
  namespace RocksDB {
    interface Options {
      readonly writeBufferSize?: number
      readonly maxWriteBufferNumber?: number
      /** `false` turns the block cache off; the binding fixes its size otherwise (RocksDB's 32 MiB). */
      readonly blockCache?: boolean
      /** Must be false when the block cache is off: index and filter blocks then stay in table readers. */
      readonly tableCacheIndexAndFilterBlocks?: boolean
      readonly filterPolicy?: BloomFilterPolicy | null
      readonly maxOpenFiles?: number
      readonly maxBackgroundJobs?: number
      readonly createIfMissing?: boolean
    }
    interface BatchOptions {
      readonly capacity?: number
      readonly autoDestroy?: boolean
    }
    interface ReadBatch {
      get(key: Buffer): Promise<Buffer | null>
      /** Sends the batch without waiting; each `get` promise settles on its own. */
      tryFlush(): void
      flush(): Promise<void>
    }
    interface WriteBatch {
      tryPut(key: Buffer, value: Buffer): void
      tryDelete(key: Buffer): void
      tryDeleteRange(start: Buffer, end: Buffer): void
      flush(): Promise<void>
    }
    interface IteratorOptions {
      readonly gte?: Buffer
      readonly lt?: Buffer
      readonly reverse?: boolean
      readonly limit?: number
      /** Entries fetched from the binding per round trip. */
      readonly capacity?: number
    }
    /** Counters since open. */
    interface Stats {
      readonly gets: number
      readonly puts: number
      readonly deletes: number
      readonly rangeDeletes: number
      readonly readBatches: number
      readonly writeBatches: number
    }
    class BloomFilterPolicy {
      constructor(bitsPerKey: number)
    }
  }
  class RocksDB {
    constructor(path: string, options?: RocksDB.Options)
    readonly stats: RocksDB.Stats
    ready(): Promise<void>
    read(options?: RocksDB.BatchOptions): RocksDB.ReadBatch
    write(options?: RocksDB.BatchOptions): RocksDB.WriteBatch
    iterator(range: RocksDB.IteratorOptions): AsyncIterable<{ readonly key: Buffer; readonly value: Buffer }>
    getProperty(name: string): Promise<string | undefined>
    flush(): Promise<void>
    close(): Promise<void>
  }
  export = RocksDB
}
