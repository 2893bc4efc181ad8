import type { LogLogger } from '../engine/logger.js'
import type { ReadCursor } from '../engine/partition-store.js'
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
 * Where a reader's last read of a segment ended (kept in its ReadCursor): the batch holding the
 * next offset, and the rest of the chunk it read, whose batches were checked from `checkedFrom`
 * to `checkedTo` (file positions). A poll takes a few batches of a chunk: the next one goes on in
 * the same bytes, without reading them again or checking again a batch it partly read. The bytes
 * are this reader's alone, and it only ever goes on to records it was not given yet.
 */
class SegmentResume {
  constructor(
    readonly segment: Segment,
    readonly generation: number,
    /** The offset the read returned (the reader's next). */
    readonly offset: number,
    /** Where the batch holding `offset`, or the one after it, starts, and the offset expected there. */
    readonly batchPosition: number,
    readonly batchOffset: number,
    /** The chunk the read was in, when it holds more. */
    readonly chunk: ChunkReader | undefined,
  ) {}
}

/** The bytes of a segment a read goes through, read a chunk at a time, and which batches of them were checked. */
class ChunkReader {
  private bytes: Buffer = Buffer.alloc(0)
  private position = 0
  private checkedFrom = 0
  private checkedTo = 0

  constructor(private readonly segment: Segment) {}

  /** At least `minBytes` bytes at `position` (when the file has them): the rest of the current chunk, or a new one. */
  at(position: number, minBytes: number): Buffer {
    const from = position - this.position
    if (from >= 0 && from + minBytes <= this.bytes.length) return this.bytes.subarray(from)
    this.bytes = this.segment.read(position, Math.max(FETCH_CHUNK_BYTES, minBytes))
    this.position = position
    this.checkedFrom = this.checkedTo = position
    return this.bytes
  }

  /** Whether the batch at [start, end) of the current chunk was checked. */
  checked(start: number, end: number): boolean {
    return start >= this.checkedFrom && end <= this.checkedTo
  }

  /** Records that the batch at [start, end) of the current chunk checked out. */
  markChecked(start: number, end: number): void {
    if (start === this.checkedTo) this.checkedTo = end
    else if (!this.checked(start, end)) {
      this.checkedFrom = start
      this.checkedTo = end
    }
  }

  /** Whether the chunk holds bytes past `position`, worth keeping for the next read. */
  holdsAfter(position: number): boolean {
    return position < this.position + this.bytes.length
  }
}

/**
 * Decodes records of one segment from `fromOffset` into `out`, checking every batch on the way
 * (CRC, offset sequence, the segment's end: see BatchOrder), until `out` holds `maxRecords` or
 * `limit` is reached. Returns the offset to read next, or undefined when a sealed segment is
 * done. An index entry that does not match the data makes it rebuild the indexes and read again.
 * With a `cursor` whose last read of this segment ended at `fromOffset`, it goes on from there.
 *
 * @example
 * const next = readSegment(partition, segment, position, endOffset, 1000, 'read_committed', out, cursor)
 */
export function readSegment(
  partition: SegmentOwner,
  segment: Segment,
  fromOffset: number,
  limit: number,
  maxRecords: number,
  isolation: IsolationLevel,
  out: LogRecord[],
  cursor?: ReadCursor,
  indexRebuilt = false,
): number | undefined {
  const last = cursor?.resume
  if (cursor !== undefined) cursor.resume = undefined
  const resume = last instanceof SegmentResume && last.segment === segment && last.generation === segment.generation && last.offset === fromOffset ? last : undefined
  // A place the last read found is no index entry: in a compacted segment the batch there may start above it.
  const entry = resume === undefined ? segment.entryFor(fromOffset) : { offset: resume.batchOffset, position: resume.batchPosition, indexed: false }
  const chunks = resume?.chunk ?? new ChunkReader(segment)
  const active = partition.isActive(segment)
  const contiguous = partition.config.cleanup === 'delete' || active
  const order = new BatchOrder(partition, segment, entry.offset, active ? partition.endOffset : segment.nextOffset, contiguous)
  let position = entry.position
  let next = fromOffset
  /** Keeps where this read ended (and the chunk it was in, if it holds more) for the cursor's next read. */
  const stopAt = (batchPosition: number, batchOffset = order.expected): number => {
    const chunk = chunks.holdsAfter(batchPosition) ? chunks : undefined
    if (cursor !== undefined) cursor.resume = new SegmentResume(segment, segment.generation, next, batchPosition, batchOffset, chunk)
    return next
  }
  while (position < segment.size) {
    let chunk = chunks.at(position, BATCH_HEADER_BYTES)
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
        return readSegment(partition, segment, fromOffset, limit, maxRecords, isolation, out, undefined, true)
      }
      if (!valid) {
        throw new CorruptRecordError(partition.topic, partition.partition, order.expected, `invalid batch header at position ${position + at} of ${segment.file}`)
      }
      if (at + total > chunk.length) {
        if (at > 0) break
        chunk = chunks.at(position, total)
        if (chunk.length < total) {
          // baseOffset is outside the CRC and this batch cannot be checked: name it only where it fits the sequence.
          const offset = order.inPlace(header) ? header.baseOffset : order.expected
          throw new CorruptRecordError(partition.topic, partition.partition, offset, `batch of ${total} bytes is cut short at the end of ${segment.file}`)
        }
      }
      if (header.baseOffset >= limit && order.inPlace(header)) return stopAt(position + at)
      const start = position + at
      const lastOffset = order.check(header, chunk, at, chunks.checked(start, start + total))
      chunks.markChecked(start, start + total)
      if (lastOffset >= next) {
        // readSegment is entered with room in `out` and returns once it is full, so full means filled here.
        next = readBatchRecords(partition, chunk, at, header, next, isolation, out, maxRecords)
        if (out.length >= maxRecords) {
          // Stopped inside the batch (it is read on from its start next time) or right after it.
          return next <= lastOffset ? stopAt(start, header.baseOffset) : stopAt(start + total)
        }
      }
      at += total
    }
    if (at === 0) {
      throw new CorruptRecordError(partition.topic, partition.partition, order.expected, `${segment.size - position} stray bytes at the end of ${segment.file}`)
    }
    position += at
  }
  if (partition.isActive(segment)) return stopAt(position)
  order.checkEnd()
  return undefined
}
