/**
 * The storage of one partition, as the engine sees it. The engine (producer routing and batch
 * building, consumer positions and polls, groups, transactions) runs unchanged over any store:
 * the embedded log's `PartitionLog` keeps batches in segment files, the memory log's
 * `MemoryPartition` in an array. Both hold RecordBatch v2 bytes (./record-batch.ts), so offsets,
 * control markers and the gaps they leave are the same on both.
 */
import type { IsolationLevel, LogRecord, ResolvedTopicConfig } from '../types.js'
import type { ProducerState } from './producer-state.js'

/**
 * A reader's place in one partition between its reads (one per reader and partition), for a
 * store to go on from where the reader's last read ended without finding that place again and
 * without reading again what it read then. Opaque to the reader; a store that keeps nothing in it
 * ignores it, and every store starts afresh when a read does not go on from the last.
 */
export interface ReadCursor {
  /** The store's own record of the last read. */
  resume?: unknown
}

export interface PartitionStore {
  readonly topic: string
  readonly partition: number
  readonly config: ResolvedTopicConfig
  /** Which transactions are open here and which offset ranges were aborted. */
  readonly producerState: ProducerState
  /** The first offset still stored (log start offset). */
  readonly startOffset: number
  /** The offset the next record gets (log end offset). */
  readonly endOffset: number
  /** The first offset a read_committed reader may not pass. */
  readonly lastStableOffset: number
  /**
   * Appends one encoded batch, assigning its base offset (written into the batch), and returns
   * that offset. Tracks transactional batches and markers, then wakes `onAppend` listeners.
   */
  append(batch: Buffer): number
  /**
   * Decodes records from `fromOffset` into `out` until it holds `maxRecords` or the readable end
   * (the last stable offset under read_committed) is reached; returns the offset to read next.
   * Control batches, and aborted transactions under read_committed, are skipped.
   * Throws OffsetOutOfRangeError when `fromOffset` is outside `[startOffset, endOffset]`.
   * A reader that reads on passes the same `cursor` every time.
   */
  read(fromOffset: number, maxRecords: number, isolation: IsolationLevel, out: LogRecord[], cursor?: ReadCursor): number
  /** Calls `listener` on every append until the returned function is called. */
  onAppend(listener: () => void): () => void
  /** Throws OffsetOutOfRangeError unless `offset` lies in `[startOffset, endOffset]`. */
  checkOffset(offset: number): void
  /** The offset of the first record with a timestamp at or after `timestamp`, or the end offset. */
  offsetForTimestamp(timestamp: number): number
  /** Catches up with appends made by another process (a read-only view); a no-op where none can be. */
  refresh(): void
}
