import type { LogRecord } from '../types.js'
import type { PartitionLog } from './partition-log.js'
import {
  BATCH_HEADER_BYTES,
  batchTotalBytes,
  decodeRecords,
  encodeBatch,
  isControl,
  isTransactional,
  lastOffsetOf,
  readBatchHeader,
} from '../engine/record-batch.js'
import type { Segment } from './segment.js'

/** What one compaction pass did. */
export interface CompactionResult {
  readonly segmentsRewritten: number
  readonly recordsRemoved: number
}

const YIELD_EVERY_BATCHES = 256

/**
 * Compacts a partition of a `compact` topic: in every sealed segment wholly below the last
 * stable offset, keeps only the latest record of each key, drops tombstones older than
 * `deleteRetentionMs`, records of aborted transactions and transaction markers. Kept records
 * keep their offsets (batches then have gaps, as Kafka's do). The active segment and open
 * transactions are never touched, and the pass yields to the event loop between batches, so
 * appends and reads go on while it runs.
 *
 * @example
 * const { recordsRemoved } = await compactPartition(partition, clock.now())
 */
export async function compactPartition(partition: PartitionLog, nowMs: number): Promise<CompactionResult> {
  const stableOffset = partition.lastStableOffset
  const segments = partition.sealedSegments().filter((segment) => segment.nextOffset <= stableOffset)
  if (segments.length === 0) return { segmentsRewritten: 0, recordsRemoved: 0 }
  const latest = await latestOffsetByKey(partition, stableOffset)
  let segmentsRewritten = 0
  let recordsRemoved = 0
  for (const segment of segments) {
    if (partition.isClosed) break
    const result = await cleanSegment(partition, segment, latest, nowMs)
    if (result === undefined) continue
    if (partition.isClosed) break
    segment.rewrite(result.batches)
    segmentsRewritten++
    recordsRemoved += result.removed
  }
  return { segmentsRewritten, recordsRemoved }
}

/** The offset of the newest committed record of each key below `stableOffset`. */
async function latestOffsetByKey(partition: PartitionLog, stableOffset: number): Promise<Map<string, number>> {
  const latest = new Map<string, number>()
  const records: LogRecord[] = []
  let next = partition.startOffset
  while (next < stableOffset) {
    records.length = 0
    const before = next
    next = partition.read(next, 10_000, 'read_committed', records)
    for (const record of records) if (record.key !== null) latest.set(record.key.toString('latin1'), record.offset)
    if (next === before) break
    await yieldToEventLoop()
  }
  return latest
}

async function cleanSegment(
  partition: PartitionLog,
  segment: Segment,
  latest: ReadonlyMap<string, number>,
  nowMs: number,
): Promise<{ batches: Buffer[]; removed: number } | undefined> {
  const data = segment.read(0, segment.size)
  const batches: Buffer[] = []
  let removed = 0
  let batchCount = 0
  for (let at = 0; at + BATCH_HEADER_BYTES <= data.length; ) {
    const header = readBatchHeader(data, at)
    const total = batchTotalBytes(header)
    const aborted = isTransactional(header) && partition.producerState.isAborted(header.producerId, header.baseOffset)
    const records: LogRecord[] = []
    if (!isControl(header)) decodeRecords(data, at, header, partition.topic, partition.partition, header.baseOffset, records, Number.MAX_SAFE_INTEGER)
    const kept = aborted ? [] : records.filter((record) => keep(record, latest, nowMs, partition.config.deleteRetentionMs))
    removed += records.length - kept.length
    if (kept.length === records.length && !isControl(header) && !isTransactional(header)) {
      batches.push(data.subarray(at, at + total))
    } else if (kept.length > 0) {
      batches.push(
        encodeBatch(kept, { baseOffset: kept[0]!.offset, offsets: kept.map((record) => record.offset), lastOffset: lastOffsetOf(header) }),
      )
    }
    at += total
    if (++batchCount % YIELD_EVERY_BATCHES === 0) await yieldToEventLoop()
  }
  const changed = removed > 0 || batches.length !== batchCount
  return changed ? { batches, removed } : undefined
}

function keep(record: LogRecord, latest: ReadonlyMap<string, number>, nowMs: number, deleteRetentionMs: number): boolean {
  if (record.key === null) return false
  if (latest.get(record.key.toString('latin1')) !== record.offset) return false
  return record.value !== null || record.timestamp + deleteRetentionMs > nowMs
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
