import fs from 'node:fs'
import path from 'node:path'
import type { Clock } from '../../clock.js'
import { CorruptRecordError, OffsetOutOfRangeError, StorageError } from '../errors.js'
import type { IsolationLevel, LogRecord, ResolvedTopicConfig } from '../types.js'
import type { LogLogger } from '../engine/logger.js'
import type { PartitionStore, ReadCursor } from '../engine/partition-store.js'
import { ProducerState, trackBatch } from '../engine/producer-state.js'
import {
  readBatchHeader,
  setBaseOffset,
  type BatchHeader,
} from '../engine/record-batch.js'
import { offsetFileName, fsyncDirectory } from './files.js'
import type { Durability } from './options.js'
import { readLogStartOffset, writeLogStartOffset } from './log-start-offset.js'
import { listSegmentOffsets, recoverPartition, SNAPSHOT_EXTENSION, writeProducerSnapshot } from './partition-recovery.js'
import { Segment } from './segment.js'
import { readSegment } from './segment-reader.js'
import { crashPoint } from '../../crash-point.js'
import { writeRecoveryPoint } from './recovery-point.js'


export interface PartitionLogOptions {
  readonly topic: string
  readonly partition: number
  readonly dir: string
  readonly config: ResolvedTopicConfig
  readonly readOnly: boolean
  readonly durability: Durability
  readonly clock: Clock
  readonly logger: LogLogger
}

/** What recovery found and did on open. */
export interface RecoveryEvent {
  readonly topic: string
  readonly partition: number
  readonly segment: string
  readonly truncatedBytes: number
  readonly reason: string
}

/**
 * One partition: an ordered list of segments, the last of which takes appends. Offsets are
 * assigned here, tails are recovered here, and tailing readers are woken from here.
 */
export class PartitionLog implements PartitionStore {
  readonly topic: string
  readonly partition: number
  readonly dir: string
  config: ResolvedTopicConfig
  private segments: Segment[] = []
  readonly producerState = new ProducerState()
  private readonly listeners = new Set<() => void>()
  private failed: StorageError | undefined
  private closed = false
  private readonly recovery: RecoveryEvent[] = []
  /** The start set by deleteRecords (kept in a checkpoint file); the first segment's base may be above it. */
  private logStartOffset = 0

  private constructor(private readonly options: PartitionLogOptions) {
    this.topic = options.topic
    this.partition = options.partition
    this.dir = options.dir
    this.config = options.config
  }

  /** Creates the directory of a new partition with its first, empty segment. */
  static create(options: PartitionLogOptions): PartitionLog {
    fs.rmSync(options.dir, { recursive: true, force: true })
    fs.mkdirSync(options.dir, { recursive: true })
    const log = new PartitionLog(options)
    log.segments.push(Segment.create(options.dir, 0, options.clock.now()))
    fsyncDirectory(options.dir)
    return log
  }

  /** Opens an existing partition, recovering the tail of its last segment. */
  static open(options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(options)
    const recovered = recoverPartition(options, log.producerState)
    log.segments.push(...recovered.segments)
    log.recovery.push(...recovered.events)
    log.logStartOffset = readLogStartOffset(options.dir) ?? 0
    if (!options.readOnly) log.applyLogStartOffset()
    return log
  }

  /** The first readable offset: where deleteRecords moved it, or the first segment's base when above. */
  get startOffset(): number {
    return Math.max(this.segments[0]!.baseOffset, this.logStartOffset)
  }

  get endOffset(): number {
    return this.active.nextOffset
  }

  get sizeBytes(): number {
    let total = 0
    for (const segment of this.segments) total += segment.size
    return total
  }

  /** True once closed or deleted (a background compaction then stops). */
  get isClosed(): boolean {
    return this.closed
  }

  /** The first offset a read_committed reader may not pass. */
  get lastStableOffset(): number {
    return this.producerState.lastStableOffset(this.endOffset)
  }

  recoveryEvents(): readonly RecoveryEvent[] {
    return this.recovery
  }

  /** The segment taking appends. */
  isActive(segment: Segment): boolean {
    return segment === this.active
  }

  get logger(): LogLogger {
    return this.options.logger
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!
  }

  /**
   * Appends one encoded batch (its base offset is assigned here) and returns that offset.
   * Under `fsync` durability the batch is on disk when this returns.
   */
  append(batch: Buffer): number {
    if (this.failed) throw this.failed
    const baseOffset = this.endOffset
    setBaseOffset(batch, 0, baseOffset)
    const header = readBatchHeader(batch, 0)
    this.maybeRoll(batch.length)
    const segment = this.active
    const sizeBefore = segment.size
    try {
      segment.append(batch, header)
      crashPoint('segment.append.before-fsync')
      if (this.options.durability === 'fsync') segment.sync()
      crashPoint('segment.append.after-fsync')
    } catch (error) {
      this.fail(error, `appending at offset ${baseOffset}`, segment, sizeBefore, baseOffset)
    }
    this.track(header, batch, 0)
    this.notify()
    return baseOffset
  }

  /** Forces every appended byte of the partition to disk. */
  sync(): void {
    if (this.failed) return
    try {
      this.active.sync()
    } catch (error) {
      this.fail(error, 'syncing')
    }
  }

  /** Calls `listener` on every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Throws OffsetOutOfRangeError unless `offset` lies in `[start, end]`. */
  checkOffset(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < this.startOffset || offset > this.endOffset) {
      throw new OffsetOutOfRangeError(this.topic, this.partition, offset, this.startOffset, this.endOffset)
    }
  }

  /**
   * Decodes records from `fromOffset` into `out` until it holds `maxRecords` or the readable
   * end (the last stable offset under read_committed) is reached. Returns the offset to read
   * next. Control batches and aborted transactions (under read_committed) are skipped.
   */
  read(fromOffset: number, maxRecords: number, isolation: IsolationLevel, out: LogRecord[], cursor?: ReadCursor): number {
    this.checkOffset(fromOffset)
    const limit = isolation === 'read_committed' ? this.lastStableOffset : this.endOffset
    let next = fromOffset
    let segmentIndex = this.segmentIndexOf(next)
    while (next < limit && out.length < maxRecords && segmentIndex < this.segments.length) {
      const segment = this.segments[segmentIndex]!
      const resumeAt = readSegment(this, segment, next, limit, maxRecords, isolation, out, cursor)
      if (resumeAt === undefined) {
        segmentIndex++
        if (segmentIndex < this.segments.length) next = Math.max(next, this.segments[segmentIndex]!.baseOffset)
      } else if (resumeAt === next) break
      else next = resumeAt
    }
    return next
  }

  /** The offset of the first record with a timestamp at or after `timestamp`, or the end offset. */
  offsetForTimestamp(timestamp: number): number {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp && segment.damagedFrom !== undefined) {
        // The answer may lie in the damaged part, whose timestamps are unknown: report it, never skip it.
        throw new CorruptRecordError(this.topic, this.partition, segment.damagedFrom, `looking up timestamp ${timestamp}: the segment ${segment.file} is damaged from offset ${segment.damagedFrom}`)
      }
      if (segment.maxTimestamp < timestamp) continue
      const out: LogRecord[] = []
      let next = Math.max(segment.timeIndex.lookup(timestamp), this.startOffset)
      while (next < segment.nextOffset) {
        out.length = 0
        const resumeAt = readSegment(this, segment, next, segment.nextOffset, 1000, 'read_uncommitted', out)
        for (const record of out) if (record.timestamp >= timestamp) return record.offset
        if (resumeAt === undefined) break
        next = resumeAt
      }
    }
    return this.endOffset
  }

  /** Deletes old segments by time and size; returns how many it deleted. */
  enforceRetention(): number {
    if (this.options.readOnly || this.config.cleanup !== 'delete') return 0
    const { retentionMs, retentionBytes } = this.config
    const now = this.options.clock.now()
    const expired = (segment: Segment): boolean => retentionMs >= 0 && segment.maxTimestamp >= 0 && segment.maxTimestamp < now - retentionMs
    if (this.active.size > 0 && expired(this.active)) this.roll()
    let deleted = 0
    let size = this.sizeBytes
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!
      const tooBig = retentionBytes >= 0 && size - oldest.size >= retentionBytes
      if (!expired(oldest) && !tooBig) break
      size -= oldest.size
      this.deleteOldestSegment()
      deleted++
    }
    if (deleted > 0) this.producerState.trimBelow(this.startOffset)
    return deleted
  }

  /**
   * Moves the log start offset up to `offset` (Kafka's deleteRecords; the caller checked it lies
   * in `[0, endOffset]`): records below it are no longer readable, and the segments wholly
   * below it are removed. The new start is written to the partition's checkpoint file before any
   * file is removed (fsynced unless durability is `'none'`), so it survives a crash and a
   * restart as appends do. A lower offset changes nothing.
   */
  advanceStartOffset(offset: number): void {
    if (this.failed) throw this.failed
    if (offset <= this.startOffset) return
    try {
      writeLogStartOffset(this.dir, offset, { durable: this.options.durability !== 'none' })
    } catch (error) {
      throw new StorageError(this.dir, `${this.topic}-${this.partition} failed keeping its log start offset ${offset}; nothing was deleted`, error)
    }
    this.logStartOffset = offset
    this.deleteSegmentsBelowStart()
  }

  /**
   * Removes the sealed segments compaction emptied (every record in them superseded), but the
   * first, whose base is the partition's start: their offsets stay unused, as Kafka's cleaner
   * leaves them, and a read across the gap goes on at the next segment. Without this a compacted
   * topic's segment count (three open files each) grew with every segment ever rolled.
   * Returns how many it removed.
   */
  dropEmptySealedSegments(): number {
    let dropped = 0
    for (let i = this.segments.length - 2; i >= 1; i--) {
      const segment = this.segments[i]!
      if (segment.size > 0) continue
      this.segments.splice(i, 1)
      segment.delete()
      fs.rmSync(path.join(this.dir, offsetFileName(segment.baseOffset, SNAPSHOT_EXTENSION)), { force: true })
      dropped++
    }
    return dropped
  }

  /** Every segment, oldest first, the active one last; for compaction. */
  allSegments(): readonly Segment[] {
    return [...this.segments]
  }

  /** The sealed segments (all but the active one), oldest first; for compaction. */
  sealedSegments(): readonly Segment[] {
    return this.segments.slice(0, -1)
  }

  /** Closes the files; a clean close leaves a producer-state snapshot for the next open. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (!this.options.readOnly && !this.failed) {
      // Everything is synced (sealed segments too, which durability 'none' left as they were), so
      // the next open need check nothing: the recovery point is the end.
      try {
        for (const segment of this.segments) segment.sync()
        writeRecoveryPoint(this.dir, this.endOffset)
      } catch (error) {
        this.options.logger.warn(`${this.topic}-${this.partition}: syncing on close failed (${(error as Error).message}); the next open checks every unsynced segment`)
      }
      this.sync()
      writeProducerSnapshot(this.dir, this.active.baseOffset, this.endOffset, this.producerState)
    }
    for (const segment of this.segments) segment.close()
    this.listeners.clear()
  }

  /** Closes and removes the partition's files. */
  delete(): void {
    this.closed = true
    for (const segment of this.segments) segment.delete()
    this.segments = []
    fs.rmSync(this.dir, { recursive: true, force: true })
  }

  /** Read-only opening: picks up what the writing process appended since. */
  refresh(): void {
    if (!this.options.readOnly) return
    this.logStartOffset = readLogStartOffset(this.dir) ?? this.logStartOffset
    const endBefore = this.endOffset
    const visit = (header: BatchHeader, chunk: Buffer, at: number): void => this.track(header, chunk, at)
    const last = this.active
    const size = fs.statSync(last.file).size
    if (size > last.size) {
      const from = { position: last.size, offset: last.nextOffset }
      last.size = size
      // Appends are contiguous; without the check a damaged baseOffset that recovery cut off would be taken in again here.
      last.size = last.scan({ verify: true, index: true, from, visit, contiguous: true }).validBytes
    }
    const added = listSegmentOffsets(this.dir, this.options.logger).filter((baseOffset) => baseOffset > this.active.baseOffset)
    for (const [i, baseOffset] of added.entries()) {
      const segment = Segment.open(this.dir, baseOffset, true)
      this.segments.push(segment)
      const contiguous = i === added.length - 1 || this.config.cleanup === 'delete'
      segment.size = segment.scan({ verify: true, index: true, visit, contiguous }).validBytes
    }
    if (this.endOffset > endBefore) this.notify()
  }

  /** Removes the segments wholly below the start offset (never the active one). */
  private deleteSegmentsBelowStart(): void {
    let deleted = 0
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= this.logStartOffset) {
      this.deleteOldestSegment()
      deleted++
    }
    if (deleted > 0) this.producerState.trimBelow(this.startOffset)
  }

  private deleteOldestSegment(): void {
    const oldest = this.segments.shift()!
    oldest.delete()
    fs.rmSync(path.join(this.dir, offsetFileName(oldest.baseOffset, SNAPSHOT_EXTENSION)), { force: true })
  }

  /**
   * On open: removes what a crash left below the kept start offset, and when the data ends before
   * it (a tail lost in a crash), starts the partition afresh at it, as Kafka does, so offsets
   * below a start once acknowledged are never handed out again.
   */
  private applyLogStartOffset(): void {
    if (this.logStartOffset > this.endOffset) {
      this.options.logger.warn(`${this.topic}-${this.partition} ends at offset ${this.endOffset}, below its log start offset ${this.logStartOffset}; starting it afresh at ${this.logStartOffset}`)
      const segment = Segment.create(this.dir, this.logStartOffset, this.options.clock.now())
      segment.nextOffset = this.logStartOffset
      this.segments.push(segment)
      this.producerState.restore({ ongoing: [], aborted: [] })
      fsyncDirectory(this.dir)
    }
    this.deleteSegmentsBelowStart()
  }

  private segmentIndexOf(offset: number): number {
    let low = 0
    let high = this.segments.length - 1
    while (low < high) {
      const mid = (low + high + 1) >>> 1
      if (this.segments[mid]!.baseOffset <= offset) low = mid
      else high = mid - 1
    }
    return low
  }

  private maybeRoll(incomingBytes: number): void {
    const segment = this.active
    if (segment.size === 0) return
    const full = segment.size + incomingBytes > this.config.segmentBytes
    const old = this.options.clock.now() - segment.createdMs >= this.config.segmentMs
    if (full || old) this.roll()
  }

  /**
   * Seals the active segment and starts a new one. Only what the durability policy needs is
   * forced to disk: under `fsync` the data is already there and the new file's directory
   * entry is synced; under an interval the sealed data is synced in the background; under
   * `none` nothing is. Index files are never fsynced: an index that lost its tail is still
   * correct (it is sparse), and one that does not fit its segment is rebuilt on open.
   */
  private roll(): void {
    const sealed = this.active
    const durability = this.options.durability
    try {
      sealed.offsetIndex.flush(false)
      crashPoint('segment.roll.between-indexes')
      sealed.timeIndex.flush(false)
      if (typeof durability === 'object') sealed.syncInBackground((error) => this.options.logger.warn(`syncing ${sealed.file} failed: ${error.message}`))
      const segment = Segment.create(this.dir, sealed.nextOffset, this.options.clock.now())
      segment.nextOffset = sealed.nextOffset
      this.segments.push(segment)
      crashPoint('segment.roll.before-snapshot')
      writeProducerSnapshot(this.dir, segment.baseOffset, this.endOffset, this.producerState)
      if (durability === 'fsync') {
        fsyncDirectory(this.dir)
        // Every append was synced: the sealed segment is on disk whole.
        writeRecoveryPoint(this.dir, sealed.nextOffset)
      }
    } catch (error) {
      this.fail(error, 'rolling a segment')
    }
  }

  private track(header: BatchHeader, chunk: Buffer, at: number): void {
    trackBatch(this.producerState, header, chunk, at)
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener()
  }

  /** A failed write or fsync is fatal for the partition: never retried and trusted. */
  private fail(error: unknown, doing: string, segment?: Segment, sizeBefore = 0, offsetBefore = 0): never {
    const failure = new StorageError(this.dir, `${this.topic}-${this.partition} failed ${doing}; the partition accepts no more writes until reopened`, error)
    this.failed = failure
    if (segment !== undefined) {
      try {
        segment.truncate(sizeBefore, offsetBefore)
      } catch {
        // The reopen recovers the tail; nothing torn is ever served.
      }
    }
    throw failure
  }
}
