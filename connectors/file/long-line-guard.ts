import { RecordRejectedError } from '../api/errors.js'
import { PREVIEW_BYTES, type PendingBatch } from './decoder.js'
import type { TailedFile } from './tailed-file.js'

const LF = 0x0a

/**
 * Bounds the memory one line may take: once more than `maxLineBytes` wait without a line break,
 * the line is rejected (its first KiB goes to the dead-letter topic) and skipped up to its line
 * break, however long it grows.
 *
 * @example
 * const guard = new LongLineGuard('/data/in.jsonl', 16 << 20)
 * guard.skip(file) // before decoding: drops the rest of a line being skipped
 */
export class LongLineGuard {
  /**
   * @param skipping true when reading resumes inside a line being skipped (stored with the
   *   offset as `skippingLine`), so that its tail is not read as a line of its own.
   */
  constructor(
    private readonly path: string,
    private readonly maxLineBytes: number,
    public skipping = false,
  ) {}

  /** Consumes what is left of a line being skipped; true while it goes on past what was read. */
  skip(file: TailedFile): boolean {
    if (!this.skipping) return false
    const lineEnd = file.chunk.indexOf(LF, file.start)
    if (lineEnd < 0) {
      file.consume(file.chunk.length, 0)
      return true
    }
    file.consume(lineEnd + 1, 1)
    this.skipping = false
    return false
  }

  /** After decoding: rejects the line at `file.start` when it is too long to wait for; true if it did. */
  check(file: TailedFile, batch: PendingBatch): boolean {
    const waiting = file.chunk.length - file.start
    if (waiting <= this.maxLineBytes) return false
    const location = `${this.path}:${file.linesConsumed + 1}`
    const error = new RecordRejectedError(`line ${location} is longer than maxLineBytes (${this.maxLineBytes}); it is skipped (its first ${PREVIEW_BYTES} bytes are kept here)`)
    batch.rejected.push({ input: Buffer.from(file.chunk.subarray(file.start, file.start + PREVIEW_BYTES)), error, location })
    batch.bytes += waiting
    this.skipping = true
    this.skip(file)
    return true
  }
}
