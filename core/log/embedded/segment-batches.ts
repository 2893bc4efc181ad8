import { CorruptRecordError } from '../errors.js'
import { BATCH_HEADER_BYTES, batchTotalBytes, LOG_OVERHEAD, readBatchHeader, type BatchHeader } from '../engine/record-batch.js'
import type { Segment } from './segment.js'

/** One batch as read from a segment: the whole batch lies in `chunk` from `at`. */
export interface SegmentBatch {
  readonly header: BatchHeader
  readonly chunk: Buffer
  readonly at: number
  /** Where the batch starts in the segment file. */
  readonly position: number
}

/**
 * Walks the batches of a segment from its start, reading it a chunk of `chunkBytes` at a time
 * (a batch larger than that is read whole), so a pass over a segment of any size holds about one
 * chunk. Each batch's frame is checked (header, length, room in the file); its offsets and CRC
 * are the caller's to check (see BatchOrder).
 *
 * @example
 * const batches = new SegmentBatches(partition, segment, 4 * 1024 * 1024)
 * for (let batch = batches.next(); batch !== undefined; batch = batches.next()) order.check(batch.header, batch.chunk, batch.at)
 */
export class SegmentBatches {
  private chunk: Buffer = Buffer.alloc(0)
  private chunkStart = 0
  private position = 0

  constructor(
    private readonly owner: { readonly topic: string; readonly partition: number },
    private readonly segment: Segment,
    private readonly chunkBytes: number,
  ) {}

  /** The next batch, or undefined at the end of the file. Throws CorruptRecordError at a batch that is not whole. */
  next(): SegmentBatch | undefined {
    const size = this.segment.size
    if (this.position >= size) return undefined
    this.ensure(BATCH_HEADER_BYTES)
    if (this.available() < BATCH_HEADER_BYTES) this.fail(`a partial batch header at position ${this.position}`)
    const header = readBatchHeader(this.chunk, this.position - this.chunkStart)
    const total = batchTotalBytes(header)
    if (header.magic !== 2 || header.batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD) {
      this.fail(`an invalid batch header at position ${this.position} (length ${header.batchLength}, magic ${header.magic})`)
    }
    if (this.position + total > size) this.fail(`a batch at position ${this.position} claims ${total} bytes, ${size - this.position} remain`)
    this.ensure(total)
    const batch = { header, chunk: this.chunk, at: this.position - this.chunkStart, position: this.position }
    this.position += total
    return batch
  }

  private available(): number {
    return this.chunkStart + this.chunk.length - this.position
  }

  private ensure(bytes: number): void {
    if (this.available() >= bytes) return
    this.chunk = this.segment.read(this.position, Math.max(this.chunkBytes, bytes))
    this.chunkStart = this.position
  }

  private fail(detail: string): never {
    throw new CorruptRecordError(this.owner.topic, this.owner.partition, this.segment.baseOffset, `${this.segment.file} has ${detail}`)
  }
}
