import { ClosedError, OffsetOutOfRangeError, UnknownTopicOrPartitionError } from '../errors.js'
import type { TrimmablePartitionStore } from '../engine/delete-records.js'
import { ProducerState, trackBatch } from '../engine/producer-state.js'
import { readBatchRecords } from '../engine/read-batch.js'
import { decodeRecords, lastOffsetOf, readBatchHeader, setBaseOffset, type BatchHeader } from '../engine/record-batch.js'
import type { IsolationLevel, LogRecord, ResolvedTopicConfig } from '../types.js'

interface StoredBatch {
  readonly header: BatchHeader
  readonly bytes: Buffer
  readonly lastOffset: number
}

/**
 * One partition of the memory log: the same RecordBatch v2 batches the embedded log writes to
 * segment files, kept in an array. Offsets, transaction markers and the offsets they take, the
 * last stable offset and aborted ranges are therefore exactly those of the embedded log.
 *
 * Retention and compaction are disk concerns, so their settings are kept (and described) but
 * not enforced; records go only by deleteRecords, which moves the log start offset up and drops
 * the batches wholly below it.
 */
export class MemoryPartition implements TrimmablePartitionStore {
  readonly producerState = new ProducerState()
  private batches: StoredBatch[] = []
  private readonly listeners = new Set<() => void>()
  private nextOffset = 0
  private logStartOffset = 0
  private storedBytes = 0
  private gone: 'deleted' | 'closed' | undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly config: ResolvedTopicConfig,
  ) {}

  get startOffset(): number {
    return this.logStartOffset
  }

  get endOffset(): number {
    return this.nextOffset
  }

  get lastStableOffset(): number {
    return this.producerState.lastStableOffset(this.nextOffset)
  }

  /** The bytes of the stored batches: what the embedded log's segments would hold. */
  get sizeBytes(): number {
    return this.storedBytes
  }

  /** Takes the batch (the caller hands it over and keeps no reference), assigns its base offset. */
  append(batch: Buffer): number {
    this.checkUsable()
    const baseOffset = this.nextOffset
    setBaseOffset(batch, 0, baseOffset)
    const header = readBatchHeader(batch, 0)
    const lastOffset = lastOffsetOf(header)
    this.batches.push({ header, bytes: batch, lastOffset })
    this.nextOffset = lastOffset + 1
    this.storedBytes += batch.length
    trackBatch(this.producerState, header, batch, 0)
    this.notify()
    return baseOffset
  }

  read(fromOffset: number, maxRecords: number, isolation: IsolationLevel, out: LogRecord[]): number {
    this.checkOffset(fromOffset)
    const limit = isolation === 'read_committed' ? this.lastStableOffset : this.nextOffset
    let next = fromOffset
    for (let index = this.batchIndexOf(fromOffset); index < this.batches.length && next < limit && out.length < maxRecords; index++) {
      const { header, bytes } = this.batches[index]!
      if (header.baseOffset >= limit) break
      // A copy, so records handed out never alias the stored bytes (as fresh reads from disk never do).
      next = readBatchRecords(this, Buffer.from(bytes), 0, header, next, isolation, out, maxRecords)
    }
    return next
  }

  /** Moves the start offset up to `offset` (deleteRecords checked it) and drops the batches wholly below it. */
  advanceStartOffset(offset: number): void {
    this.checkUsable()
    if (offset <= this.logStartOffset) return
    this.logStartOffset = offset
    const below = this.batchIndexOf(offset)
    for (const { bytes } of this.batches.slice(0, below)) this.storedBytes -= bytes.length
    this.batches.splice(0, below)
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  checkOffset(offset: number): void {
    this.checkUsable()
    if (!Number.isSafeInteger(offset) || offset < this.startOffset || offset > this.endOffset) {
      throw new OffsetOutOfRangeError(this.topic, this.partition, offset, this.startOffset, this.endOffset)
    }
  }

  offsetForTimestamp(timestamp: number): number {
    this.checkUsable()
    const out: LogRecord[] = []
    for (const { header, bytes } of this.batches) {
      if (header.maxTimestamp < timestamp) continue
      out.length = 0
      decodeRecords(bytes, 0, header, this.topic, this.partition, header.baseOffset, out, Number.POSITIVE_INFINITY)
      for (const record of out) if (record.offset >= this.logStartOffset && record.timestamp >= timestamp) return record.offset
    }
    return this.endOffset
  }

  /** Nothing to catch up with: every append goes through this object. */
  refresh(): void {}

  /** Drops the data of a deleted topic; a reader still holding the partition is told the topic is gone. */
  delete(): void {
    this.release('deleted')
  }

  /** Drops the data when the log closes; a reader still holding the partition gets ClosedError. */
  close(): void {
    this.release('closed')
  }

  private release(reason: 'deleted' | 'closed'): void {
    if (this.gone !== undefined) return
    this.gone = reason
    this.batches = []
    this.storedBytes = 0
    // Waiting polls wake and meet the error at their next read, instead of waiting out their timeout.
    this.notify()
    this.listeners.clear()
  }

  /** The index of the first batch whose last offset is at or after `offset`. */
  private batchIndexOf(offset: number): number {
    let low = 0
    let high = this.batches.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.batches[mid]!.lastOffset < offset) low = mid + 1
      else high = mid
    }
    return low
  }

  private checkUsable(): void {
    if (this.gone === 'deleted') throw new UnknownTopicOrPartitionError(this.topic, this.partition)
    if (this.gone === 'closed') throw new ClosedError('log')
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
