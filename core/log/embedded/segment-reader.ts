import type { LogLogger } from '../engine/logger.js'
import type { BatchSource } from '../engine/read-batch.js'
import { readBatchRecords } from '../engine/read-batch.js'
import { BATCH_HEADER_BYTES, batchTotalBytes, readBatchHeader } from '../engine/record-batch.js'
import { CorruptRecordError } from '../errors.js'
import type { IsolationLevel, LogRecord, ResolvedTopicConfig } from '../types.js'
import { BatchOrder } from './batch-order.js'
import type { Segment } from './segment.js'

const FETCH_CHUNK_BYTES = 1024 * 1024

/** What reading a segment needs of its partition. */
export interface SegmentOwner extends BatchSource {
  readonly config: ResolvedTopicConfig
  readonly endOffset: number
  readonly logger: LogLogger
  isActive(segment: Segment): boolean
}

/**
 * Decodes records of one segment from `fromOffset` into `out`, checking every batch on the way
 * (CRC, offset sequence, the segment's end: see BatchOrder), until `out` holds `maxRecords` or
 * `limit` is reached. Returns the offset to read next, or undefined when a sealed segment is
 * done. An index entry that does not match the data makes it rebuild the indexes and read again.
 *
 * @example
 * const next = readSegment(partition, segment, position, endOffset, 1000, 'read_committed', out)
 */
export function readSegment(
  partition: SegmentOwner,
  segment: Segment,
  fromOffset: number,
  limit: number,
  maxRecords: number,
  isolation: IsolationLevel,
  out: LogRecord[],
  indexRebuilt = false,
): number | undefined {
  const entry = segment.entryFor(fromOffset)
  const active = partition.isActive(segment)
  const contiguous = partition.config.cleanup === 'delete' || active
  const order = new BatchOrder(partition, segment, entry.offset, active ? partition.endOffset : segment.nextOffset, contiguous)
  let position = entry.position
  let next = fromOffset
  while (position < segment.size) {
    let chunk = segment.read(position, FETCH_CHUNK_BYTES)
    let at = 0
    while (at + BATCH_HEADER_BYTES <= chunk.length) {
      const header = readBatchHeader(chunk, at)
      const total = batchTotalBytes(header)
      const valid = header.magic === 2 && total >= BATCH_HEADER_BYTES
      // Without an index entry the read starts at the segment's first batch, which compaction may
      // have moved above the segment's base offset: that is no mismatch.
      const misplaced = entry.indexed || contiguous ? header.baseOffset !== entry.offset : header.baseOffset < entry.offset
      if (position + at === entry.position && (!valid || misplaced) && !indexRebuilt) {
        // The index does not match the segment (index files are not fsynced; an entry's position may not even be a batch's): rebuild it and read again.
        partition.logger.warn(`rebuilding the indexes of ${segment.file}: they do not match its data`)
        segment.rebuildIndexes(contiguous)
        return readSegment(partition, segment, fromOffset, limit, maxRecords, isolation, out, true)
      }
      if (!valid) {
        throw new CorruptRecordError(partition.topic, partition.partition, order.expected, `invalid batch header at position ${position + at} of ${segment.file}`)
      }
      if (at + total > chunk.length) {
        if (at > 0) break
        chunk = segment.read(position, total)
        if (chunk.length < total) {
          // baseOffset is outside the CRC and this batch cannot be checked: name it only where it fits the sequence.
          const offset = order.inPlace(header) ? header.baseOffset : order.expected
          throw new CorruptRecordError(partition.topic, partition.partition, offset, `batch of ${total} bytes is cut short at the end of ${segment.file}`)
        }
      }
      if (header.baseOffset >= limit && order.inPlace(header)) return next
      const last = order.check(header, chunk, at)
      if (last >= next) {
        // readSegment is entered with room in `out` and returns once it is full, so full means filled here.
        next = readBatchRecords(partition, chunk, at, header, next, isolation, out, maxRecords)
        if (out.length >= maxRecords) return next
      }
      at += total
    }
    if (at === 0) {
      throw new CorruptRecordError(partition.topic, partition.partition, order.expected, `${segment.size - position} stray bytes at the end of ${segment.file}`)
    }
    position += at
  }
  if (partition.isActive(segment)) return next
  order.checkEnd()
  return undefined
}
