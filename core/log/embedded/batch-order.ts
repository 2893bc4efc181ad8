import { CorruptRecordError } from '../errors.js'
import { checkBatch, lastOffsetOf, type BatchHeader } from '../engine/record-batch.js'
import type { Segment } from './segment.js'

/**
 * Checks, batch by batch, that a segment being read holds what its offsets promise. A batch's
 * base offset lies outside its CRC, so only its place in the sequence can vouch for it: in a
 * segment that was never compacted each batch starts right after the previous one, in a
 * compacted one offsets still rise, and no batch passes the segment's end. Every batch read is
 * CRC-checked, also one a reader skips past, so nothing damaged is skipped silently.
 */
export class BatchOrder {
  /** The offset the next batch starts at (contiguous) or after (compacted). */
  expected: number

  constructor(
    private readonly partition: { readonly topic: string; readonly partition: number },
    private readonly segment: Segment,
    startOffset: number,
    private readonly endOffset: number,
    private readonly contiguous: boolean,
  ) {
    this.expected = startOffset
  }

  /** True when the batch starts where the sequence allows. */
  inPlace(header: BatchHeader): boolean {
    return this.contiguous ? header.baseOffset === this.expected : header.baseOffset >= this.expected
  }

  /** Checks the batch at `at` (its contents too, unless this reader checked these very bytes before); returns its last offset. */
  check(header: BatchHeader, chunk: Buffer, at: number, contentsChecked = false): number {
    const last = lastOffsetOf(header)
    if (!this.inPlace(header) || header.lastOffsetDelta < 0 || last >= this.endOffset) {
      this.fail(`a batch with offsets ${header.baseOffset} to ${last} where offset ${this.expected} was expected (segment ends before ${this.endOffset})`)
    }
    const problem = contentsChecked ? undefined : checkBatch(chunk, at, header)
    if (problem !== undefined) this.fail(problem, header.baseOffset)
    this.expected = last + 1
    return last
  }

  /** At the end of a sealed segment: a segment that was never compacted must reach the next one. */
  checkEnd(): void {
    if (this.contiguous && this.expected < this.endOffset) {
      this.fail(`${this.segment.file} ends at offset ${this.expected}, but the next segment starts at ${this.endOffset}: records are missing`)
    }
  }

  private fail(detail: string, offset = this.expected): never {
    throw new CorruptRecordError(this.partition.topic, this.partition.partition, offset, detail)
  }
}
