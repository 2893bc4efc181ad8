import fs from 'node:fs'
import { StorageError } from '../errors.js'
import { writeFully } from './files.js'
import type { Segment } from './segment.js'
import { fileIo } from './file-io.js'

const WRITE_BUFFER_BYTES = 1024 * 1024
const COPY_CHUNK_BYTES = 4 * 1024 * 1024

/**
 * The replacement of a segment that compaction writes beside it, in `<segment>.cleaned`, a
 * batch at a time through a small buffer, so a segment of any size is cleaned in bounded memory.
 * `finish` forces it to disk for `Segment.replaceWithCleaned` to swap in; `abandon` removes it. A
 * crash before the swap leaves only this file beside the intact segment, and opening the
 * partition removes it.
 *
 * @example
 * const cleaned = CleanedSegment.start(segment, position) // the bytes before `position` are kept as they are
 * cleaned.append(batch)
 * segment.replaceWithCleaned(cleaned.file, cleaned.finish())
 */
export class CleanedSegment {
  readonly file: string
  private fd: number | undefined
  private readonly buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES)
  private buffered = 0
  private size = 0

  private constructor(segment: Segment) {
    this.file = `${segment.file}.cleaned`
    this.fd = fileIo().open(this.file, 'w')
  }

  /** Starts the replacement with the first `keptBytes` of the segment, copied as they are. */
  static start(segment: Segment, keptBytes: number): CleanedSegment {
    const cleaned = new CleanedSegment(segment)
    try {
      for (let position = 0; position < keptBytes; ) {
        const chunk = segment.read(position, Math.min(COPY_CHUNK_BYTES, keptBytes - position))
        if (chunk.length === 0) throw new StorageError(segment.file, `the segment ended at ${position} bytes, before the ${keptBytes} to keep`, undefined)
        cleaned.append(chunk)
        position += chunk.length
      }
    } catch (error) {
      cleaned.abandon()
      throw error
    }
    return cleaned
  }

  append(bytes: Buffer): void {
    if (this.buffered + bytes.length > this.buffer.length) this.flush()
    if (bytes.length >= this.buffer.length) this.write(bytes)
    else {
      bytes.copy(this.buffer, this.buffered)
      this.buffered += bytes.length
    }
  }

  /** Writes what is buffered, fsyncs and closes the file; returns its size. */
  finish(): number {
    this.flush()
    const fd = this.openFd()
    try {
      fileIo().fdatasync(fd)
    } finally {
      this.fd = undefined
      fs.closeSync(fd)
    }
    return this.size
  }

  /** Closes and removes the file (the segment stays as it was). */
  abandon(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd)
      this.fd = undefined
    }
    fs.rmSync(this.file, { force: true })
  }

  private flush(): void {
    if (this.buffered === 0) return
    this.write(this.buffer.subarray(0, this.buffered))
    this.buffered = 0
  }

  private write(bytes: Buffer): void {
    writeFully(this.openFd(), bytes, this.size)
    this.size += bytes.length
  }

  private openFd(): number {
    if (this.fd === undefined) throw new StorageError(this.file, 'the cleaned segment is already finished or abandoned', undefined)
    return this.fd
  }
}
