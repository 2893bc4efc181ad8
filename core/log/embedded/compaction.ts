import { CorruptRecordError } from '../errors.js'
import type { LogRecord } from '../types.js'
import {
  batchTotalBytes,
  decodeRecords,
  encodeBatch,
  isControl,
  isTransactional,
  lastOffsetOf,
  type BatchHeader,
} from '../engine/record-batch.js'
import { BatchOrder } from './batch-order.js'
import { CleanedSegment } from './cleaned-segment.js'
import { OffsetMap } from './offset-map.js'
import type { PartitionLog } from './partition-log.js'
import type { Segment } from './segment.js'
import { SegmentBatches, type SegmentBatch } from './segment-batches.js'

/** What one compaction pass did. */
export interface CompactionResult {
  readonly segmentsRewritten: number
  readonly recordsRemoved: number
}

export interface CompactionOptions {
  /** The most the key → offset map may take; more keys than fit are compacted in several passes. */
  readonly bufferBytes: number
}

/** As Kafka's `log.cleaner.dedupe.buffer.size` gives its cleaner threads: 128 MiB / 2. */
export const DEFAULT_COMPACTION_BUFFER_BYTES = 64 * 1024 * 1024
/** How much of a segment is read at a time. */
const CHUNK_BYTES = 4 * 1024 * 1024
/** How much is processed between yields to the event loop. */
const YIELD_EVERY_BYTES = 1024 * 1024

/** Where the key map of one pass ends, and whether damaged data ended it. */
interface MapRange {
  readonly end: number
  readonly damaged: boolean
}

/**
 * Compacts a partition of a `compact` topic: in every sealed segment wholly below the last
 * stable offset, keeps only the latest record of each key, drops tombstones older than
 * `deleteRetentionMs`, records of aborted transactions and transaction markers. Kept records
 * keep their offsets (batches then have gaps, as Kafka's do). The active segment and open
 * transactions are never touched, and the pass yields to the event loop every few MB, so
 * appends and reads go on while it runs.
 *
 * Memory stays bounded whatever the partition's size, as in Kafka's cleaner: segments are read
 * and rewritten a chunk at a time, and the key → latest offset map holds at most
 * `bufferBytes`. When the partition has more keys than fit, the map covers the offsets from the
 * start up to where it filled, segments are cleaned against it (a record is dropped only when
 * the map knows a later record of its key; records past the map's range are kept), and the next
 * pass builds the map from there. A damaged batch ends the compaction of the partition where it
 * lies, leaving that segment as it is.
 *
 * @example
 * const { recordsRemoved } = await compactPartition(partition, clock.now())
 */
export async function compactPartition(
  partition: PartitionLog,
  nowMs: number,
  options: CompactionOptions = { bufferBytes: DEFAULT_COMPACTION_BUFFER_BYTES },
): Promise<CompactionResult> {
  const stableOffset = partition.lastStableOffset
  const cleanable = partition.sealedSegments().filter((segment) => segment.nextOffset <= stableOffset)
  let segmentsRewritten = 0
  let recordsRemoved = 0
  const map = new OffsetMap(options.bufferBytes)
  const pace: Pace = { bytesSinceYield: 0 }
  for (let dirtyFrom = partition.startOffset; cleanable.length > 0 && dirtyFrom < stableOffset; ) {
    map.clear()
    const range = await buildOffsetMap(partition, map, dirtyFrom, stableOffset, pace)
    if (range === undefined) break
    let stopped = range.damaged
    for (const segment of cleanable) {
      if (segment.baseOffset >= range.end) break
      const cleaned = await cleanSegment(partition, segment, { map, mapEnd: range.end, nowMs, pace })
      if (cleaned === 'stopped') {
        stopped = true
        break
      }
      if (cleaned.rewritten) segmentsRewritten++
      recordsRemoved += cleaned.removed
    }
    if (stopped) break
    dirtyFrom = range.end
  }
  if (segmentsRewritten > 0 && !partition.isClosed) partition.dropEmptySealedSegments()
  return { segmentsRewritten, recordsRemoved }
}

/**
 * Puts the key of each committed record from `from` on into `map`, until `until` or until the
 * map is full; returns where it stopped (undefined when the partition closed meanwhile).
 */
async function buildOffsetMap(partition: PartitionLog, map: OffsetMap, from: number, until: number, pace: Pace): Promise<MapRange | undefined> {
  const records: LogRecord[] = []
  for (const segment of partition.allSegments()) {
    if (segment.baseOffset >= until) break
    if (segment.nextOffset <= from && !partition.isActive(segment)) continue
    const endOffset = partition.isActive(segment) ? partition.endOffset : segment.nextOffset
    const order = new BatchOrder(partition, segment, segment.baseOffset, endOffset, partition.isActive(segment))
    const full = await eachBatch(partition, segment, pace, (batch) => {
      const { header, chunk, at } = batch
      if (header.baseOffset >= until) return until
      order.check(header, chunk, at)
      if (lastOffsetOf(header) < from || isControl(header) || isAborted(partition, header)) return undefined
      records.length = 0
      decodeRecords(chunk, at, header, partition.topic, partition.partition, from, records, Number.MAX_SAFE_INTEGER)
      for (const record of records) {
        if (record.key !== null && !map.put(record.key, record.offset)) return record.offset
      }
      return undefined
    })
    if (full === 'closed') return undefined
    if (full instanceof CorruptRecordError) {
      partition.logger.warn(`compaction of ${partition.topic}-${partition.partition} stops before ${segment.file}: ${full.message}`)
      return { end: Math.max(from, Math.min(full.offset, until)), damaged: true }
    }
    if (full !== undefined) return { end: full, damaged: false }
  }
  return { end: until, damaged: false }
}

/**
 * Rewrites one segment without the records `map` shows to be superseded (and expired
 * tombstones, aborted records, markers). The replacement is written only from the first batch
 * that changes, and swapped in only when something changed. 'stopped' when the partition closed
 * or the segment is damaged: it is then left as it was.
 */
async function cleanSegment(
  partition: PartitionLog,
  segment: Segment,
  pass: { readonly map: OffsetMap; readonly mapEnd: number; readonly nowMs: number; readonly pace: Pace },
): Promise<{ rewritten: boolean; removed: number } | 'stopped'> {
  const { map, mapEnd, nowMs, pace } = pass
  if (segment.damagedFrom !== undefined) return 'stopped'
  const order = new BatchOrder(partition, segment, segment.baseOffset, segment.nextOffset, false)
  const records: LogRecord[] = []
  let cleaned: CleanedSegment | undefined
  let removed = 0
  try {
    const outcome = await eachBatch<never>(partition, segment, pace, (batch) => {
      const { header, chunk, at, position } = batch
      order.check(header, chunk, at)
      records.length = 0
      if (!isControl(header)) decodeRecords(chunk, at, header, partition.topic, partition.partition, header.baseOffset, records, Number.MAX_SAFE_INTEGER)
      const kept = isAborted(partition, header) ? [] : records.filter((record) => keep(record, map, mapEnd, nowMs, partition.config.deleteRetentionMs))
      removed += records.length - kept.length
      const unchanged = kept.length === records.length && !isControl(header) && !isTransactional(header)
      if (unchanged) cleaned?.append(chunk.subarray(at, at + batchTotalBytes(header)))
      else {
        cleaned ??= CleanedSegment.start(segment, position)
        if (kept.length > 0) cleaned.append(rewrittenBatch(kept, header))
      }
      return undefined
    })
    if (outcome !== undefined || partition.isClosed) {
      cleaned?.abandon()
      if (outcome instanceof CorruptRecordError) partition.logger.warn(`compaction of ${partition.topic}-${partition.partition} stopped at ${segment.file}: ${outcome.message}`)
      return 'stopped'
    }
    if (cleaned === undefined) return { rewritten: false, removed }
    segment.replaceWithCleaned(cleaned.file, cleaned.finish())
    return { rewritten: true, removed }
  } catch (error) {
    cleaned?.abandon()
    throw error
  }
}

/** How much a compaction run has processed since it last yielded to the event loop (across segments). */
interface Pace {
  bytesSinceYield: number
}

/**
 * Hands `visit` each batch of the segment, reading it a chunk at a time and yielding to the
 * event loop every MB processed (counted across segments by `pace`). Stops at the first value
 * `visit` returns; 'closed' when the partition closed meanwhile (its files may be gone); a
 * CorruptRecordError when a batch is damaged.
 */
async function eachBatch<T>(
  partition: PartitionLog,
  segment: Segment,
  pace: Pace,
  visit: (batch: SegmentBatch) => T | undefined,
): Promise<T | 'closed' | CorruptRecordError | undefined> {
  if (partition.isClosed) return 'closed'
  const batches = new SegmentBatches(partition, segment, CHUNK_BYTES)
  try {
    for (let batch = batches.next(); batch !== undefined; batch = batches.next()) {
      const result = visit(batch)
      if (result !== undefined) return result
      pace.bytesSinceYield += batchTotalBytes(batch.header)
      if (pace.bytesSinceYield >= YIELD_EVERY_BYTES) {
        pace.bytesSinceYield = 0
        await yieldToEventLoop()
        if (partition.isClosed) return 'closed'
      }
    }
  } catch (error) {
    if (error instanceof CorruptRecordError) return error
    throw error
  }
  return undefined
}

function isAborted(partition: PartitionLog, header: BatchHeader): boolean {
  return isTransactional(header) && !isControl(header) && partition.producerState.isAborted(header.producerId, header.baseOffset)
}

/** The kept records of a batch as a new batch at their own offsets, ending where the old one did. */
function rewrittenBatch(kept: readonly LogRecord[], header: BatchHeader): Buffer {
  return encodeBatch(kept, { baseOffset: kept[0]!.offset, offsets: kept.map((record) => record.offset), lastOffset: lastOffsetOf(header) })
}

/**
 * Whether a record stays: past the map's range nothing is known of later records; within it a
 * record goes when the map holds a later one of its key, and a tombstone also once it expired.
 * A key the map lacks had no later record in the range, and earlier passes removed its older
 * records, so an expired tombstone of it goes too.
 */
function keep(record: LogRecord, map: OffsetMap, mapEnd: number, nowMs: number, deleteRetentionMs: number): boolean {
  if (record.key === null) return false
  if (record.offset >= mapEnd) return true
  const latest = map.get(record.key)
  if (latest !== undefined && latest > record.offset) return false
  return record.value !== null || record.timestamp + deleteRetentionMs > nowMs
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
