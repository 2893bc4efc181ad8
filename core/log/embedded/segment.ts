import fs from 'node:fs'
import path from 'node:path'
import { fsyncDirectory, offsetFileName, readAt, writeFully } from './files.js'
import { INDEX_INTERVAL_BYTES, OffsetIndex } from './offset-index.js'
import { TimeIndex } from './time-index.js'
import { crashPoint } from '../../crash-point.js'
import { fileIo } from './file-io.js'
import {
  BATCH_HEADER_BYTES,
  batchTotalBytes,
  checkBatch,
  isControl,
  lastOffsetOf,
  LOG_OVERHEAD,
  readBatchHeader,
  type BatchHeader,
} from '../engine/record-batch.js'

export const SEGMENT_EXTENSION = '.log'
const SCAN_CHUNK_BYTES = 1024 * 1024
/** Index files store offsets relative to the segment base in 32 bits. */
const MAX_RELATIVE_OFFSET = 0x7fffffff

/** What a scan of a segment found: where valid data ends and why it stopped there. */
export interface ScanOptions {
  /** Check each batch's CRC and record structure (recovery of an uncleanly closed tail). */
  readonly verify: boolean
  /** Add each batch to the offset and time indexes. */
  readonly index: boolean
  /**
   * Batches must follow each other with no offset gap (every segment but a compacted one).
   * The base offset is outside the CRC, so this is what catches a damaged one.
   */
  readonly contiguous?: boolean
  /** Where to start; the start of the file by default. */
  readonly from?: { readonly position: number; readonly offset: number }
  readonly visit?: (header: BatchHeader, chunk: Buffer, positionInChunk: number) => void
}

export interface ScanResult {
  readonly validBytes: number
  readonly nextOffset: number
  readonly maxTimestamp: number
  /** Why the scan stopped before the end of the file (undefined when it reached the end). */
  readonly stopReason: string | undefined
}

/**
 * One segment file of a partition (`<20-digit base offset>.log`) with its offset and time
 * indexes. Batches are appended whole; a segment never holds a partial batch once recovered.
 */
export class Segment {
  readonly file: string
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  private fd: number
  /** Bytes in the file. */
  size: number
  /** The offset after the last record in the segment. */
  nextOffset: number
  /** The largest record timestamp in the segment, or -1 when empty. */
  maxTimestamp: number
  /**
   * Where a sealed segment's data stops making sense (found when its indexes were rebuilt):
   * what its indexes say, such as its largest timestamp, covers only the offsets before it.
   */
  damagedFrom: number | undefined
  /** Clock time the segment was created (for rolling by age). */
  readonly createdMs: number
  private bytesSinceIndexEntry = 0
  private dirty = false
  /**
   * Counts the changes to bytes already in the file (a cut, compaction's swap): a reader that kept
   * bytes it read (see segment-reader.ts) keeps them only while this stays the same.
   */
  generation = 0

  private constructor(dir: string, readonly baseOffset: number, fd: number, size: number, createdMs: number, readOnly: boolean) {
    this.file = path.join(dir, offsetFileName(baseOffset, SEGMENT_EXTENSION))
    this.offsetIndex = new OffsetIndex(path.join(dir, offsetFileName(baseOffset, '.index')), baseOffset, readOnly)
    this.timeIndex = new TimeIndex(path.join(dir, offsetFileName(baseOffset, '.timeindex')), baseOffset, readOnly)
    this.fd = fd
    this.size = size
    this.nextOffset = baseOffset
    this.maxTimestamp = -1
    this.createdMs = createdMs
  }

  /** Creates an empty segment file. */
  static create(dir: string, baseOffset: number, nowMs: number): Segment {
    const file = path.join(dir, offsetFileName(baseOffset, SEGMENT_EXTENSION))
    const fd = fileIo().open(file, 'wx+')
    return new Segment(dir, baseOffset, fd, 0, nowMs, false)
  }

  /** Opens an existing segment file; call `scan` or `loadIndexes` before use. */
  static open(dir: string, baseOffset: number, readOnly: boolean): Segment {
    const file = path.join(dir, offsetFileName(baseOffset, SEGMENT_EXTENSION))
    const fd = fs.openSync(file, readOnly ? 'r' : 'r+')
    const stat = fs.fstatSync(fd)
    return new Segment(dir, baseOffset, fd, stat.size, stat.mtimeMs, readOnly)
  }

  /** Appends one encoded batch whose header is `header`. */
  append(batch: Buffer, header: BatchHeader): void {
    writeFully(this.fd, batch, this.size)
    this.indexBatch(header, this.size)
    this.size += batch.length
    this.dirty = true
  }

  /** Reads up to `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Buffer {
    return readAt(this.fd, position, Math.min(length, this.size - position))
  }

  /**
   * Forces appended bytes to disk. Index entries are written only when the segment is sealed
   * or closed: the active segment's indexes are rebuilt from the data on every open anyway.
   */
  sync(): void {
    if (!this.dirty) return
    fileIo().fdatasync(this.fd)
    this.dirty = false
  }

  /** Forces appended bytes to disk on the thread pool, without blocking appends. */
  syncInBackground(onError: (error: Error) => void): void {
    if (!this.dirty) return
    this.dirty = false
    fs.fdatasync(this.fd, (error) => {
      if (error && error.code !== 'EBADF') onError(error)
    })
  }

  /** Where to start reading to find `offset`: the indexed batch at or before it (the segment start if none). */
  entryFor(offset: number): { offset: number; position: number; indexed: boolean } {
    const entry = this.offsetIndex.entryAtOrBefore(offset)
    return entry === undefined ? { offset: this.baseOffset, position: 0, indexed: false } : { ...entry, indexed: true }
  }

  /**
   * Rebuilds both indexes from the data (an index found not to match its segment), up to the
   * first batch out of place: with `contiguous` (a segment never compacted) a batch whose
   * baseOffset was damaged upward is not indexed, so no lookup can land on it.
   */
  rebuildIndexes(contiguous: boolean): void {
    const nextOffset = this.nextOffset
    this.resetIndexes()
    this.scan({ verify: false, index: true, contiguous })
    this.offsetIndex.flush(false)
    this.timeIndex.flush(false)
    this.nextOffset = Math.max(nextOffset, this.nextOffset)
  }

  /**
   * Walks the batches from `from` (default: the start), checking each one's structure (and
   * CRC when `verify`), indexing it when `index`, and handing each to `visit` (with the whole
   * batch in `chunk` when it is a control batch or `verify` is set). Stops at the first
   * invalid batch and says why.
   */
  scan(options: ScanOptions): ScanResult {
    const { verify, index, visit } = options
    let position = options.from?.position ?? 0
    let expectedOffset = options.from?.offset ?? this.baseOffset
    let stopReason: string | undefined
    let chunk: Buffer = Buffer.alloc(0)
    let chunkStart = 0
    const ensure = (bytes: number): void => {
      if (position + bytes <= chunkStart + chunk.length) return
      chunk = this.read(position, Math.max(SCAN_CHUNK_BYTES, bytes))
      chunkStart = position
    }
    while (position < this.size) {
      ensure(BATCH_HEADER_BYTES)
      if (chunk.length - (position - chunkStart) < BATCH_HEADER_BYTES) {
        stopReason = `a partial batch header at position ${position}`
        break
      }
      const header = readBatchHeader(chunk, position - chunkStart)
      const total = batchTotalBytes(header)
      if (header.batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD || header.magic !== 2) {
        stopReason = `an invalid batch header at position ${position} (length ${header.batchLength}, magic ${header.magic})`
        break
      }
      if (position + total > this.size) {
        stopReason = `a torn batch at position ${position}: it claims ${total} bytes, ${this.size - position} remain`
        break
      }
      const misplaced = options.contiguous === true ? header.baseOffset !== expectedOffset : header.baseOffset < expectedOffset
      if (misplaced || header.lastOffsetDelta < 0 || lastOffsetOf(header) - this.baseOffset > MAX_RELATIVE_OFFSET) {
        stopReason = `a batch with offsets ${header.baseOffset} to ${lastOffsetOf(header)} at position ${position}, where offset ${expectedOffset} was expected`
        break
      }
      if (verify || isControl(header)) {
        ensure(total)
        const problem = checkBatch(chunk, position - chunkStart, header)
        if (problem !== undefined) {
          stopReason = `a damaged batch at offset ${header.baseOffset}, position ${position}: ${problem}`
          break
        }
      }
      if (index) this.indexBatch(header, position)
      visit?.(header, chunk, position - chunkStart)
      expectedOffset = lastOffsetOf(header) + 1
      if (header.maxTimestamp > this.maxTimestamp) this.maxTimestamp = header.maxTimestamp
      position += total
    }
    this.nextOffset = expectedOffset
    return { validBytes: position, nextOffset: expectedOffset, maxTimestamp: this.maxTimestamp, stopReason }
  }

  /** Loads the index files of a sealed segment; false when they are missing or do not fit. */
  loadIndexes(nextOffset: number): boolean {
    if (!this.offsetIndex.load(Math.max(this.size, 1)) || !this.timeIndex.load()) return false
    if (!this.tailMatchesIndexes()) return false
    this.nextOffset = nextOffset
    this.maxTimestamp = this.timeIndex.lastTimestamp
    return true
  }

  /**
   * A cheap check that the indexes describe this file: the batches from the last offset-index
   * entry to the end are whole, the first is the indexed one, and none has a timestamp above
   * the time index's largest. Index files are not fsynced, so they may lag or be damaged.
   */
  private tailMatchesIndexes(): boolean {
    if (this.size === 0) return this.offsetIndex.entries === 0
    const last = this.offsetIndex.lastEntry()
    if (last === undefined || this.timeIndex.lastTimestamp < 0) return false
    const tail = this.read(last.position, this.size - last.position)
    let at = 0
    while (at < tail.length) {
      if (tail.length - at < BATCH_HEADER_BYTES) return false
      const header = readBatchHeader(tail, at)
      if (at === 0 && header.baseOffset !== last.offset) return false
      if (header.magic !== 2 || header.batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD || header.maxTimestamp > this.timeIndex.lastTimestamp) return false
      at += batchTotalBytes(header)
    }
    return at === tail.length
  }

  /** Forgets the index entries before a full rescan. */
  resetIndexes(): void {
    this.offsetIndex.reset()
    this.timeIndex.reset()
    this.bytesSinceIndexEntry = 0
    this.maxTimestamp = -1
  }

  /** Cuts the file at `position` (recovery of a torn tail, or removing an aborted append). */
  truncate(position: number, nextOffset: number): void {
    this.generation++
    fileIo().truncate(this.fd, position)
    fileIo().fdatasync(this.fd)
    this.size = position
    this.nextOffset = nextOffset
    this.offsetIndex.truncateToPosition(position)
    this.timeIndex.truncateToOffset(nextOffset)
  }

  close(): void {
    this.sync()
    this.offsetIndex.flush(true)
    this.timeIndex.flush(true)
    this.offsetIndex.close()
    this.timeIndex.close()
    fs.closeSync(this.fd)
  }

  /** Closes and removes the segment and its indexes. */
  delete(): void {
    this.offsetIndex.close()
    this.timeIndex.close()
    fs.closeSync(this.fd)
    fs.rmSync(this.file, { force: true })
    crashPoint('retention.between-files')
    for (const file of [this.offsetIndex.file, this.timeIndex.file]) fs.rmSync(file, { force: true })
  }

  /**
   * Swaps in the replacement compaction wrote and fsynced beside the segment (`cleanedFile`,
   * `size` bytes; see CleanedSegment), crash-safely: the indexes are reset, the new file is
   * renamed over the old one, the directory is synced, and the indexes are rebuilt from the new
   * file. A crash at any point leaves the old or the new file whole; a leftover `.cleaned` file
   * is removed and indexes that do not fit are rebuilt on open.
   */
  replaceWithCleaned(cleanedFile: string, size: number): void {
    const nextOffset = this.nextOffset
    this.generation++
    this.resetIndexes()
    crashPoint('compaction.before-swap')
    fileIo().rename(cleanedFile, this.file)
    fsyncDirectory(path.dirname(this.file))
    fs.closeSync(this.fd)
    this.fd = fs.openSync(this.file, 'r+')
    this.size = size
    this.scan({ verify: false, index: true })
    this.offsetIndex.flush(true)
    this.timeIndex.flush(true)
    this.nextOffset = nextOffset
  }

  private indexBatch(header: BatchHeader, position: number): void {
    if (this.offsetIndex.entries === 0 || this.bytesSinceIndexEntry >= INDEX_INTERVAL_BYTES) {
      this.offsetIndex.add(header.baseOffset, position)
      this.bytesSinceIndexEntry = 0
    }
    this.bytesSinceIndexEntry += batchTotalBytes(header)
    this.timeIndex.add(header.maxTimestamp, header.baseOffset)
    this.nextOffset = lastOffsetOf(header) + 1
    if (header.maxTimestamp > this.maxTimestamp) this.maxTimestamp = header.maxTimestamp
  }
}
