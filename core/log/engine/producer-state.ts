import { isControl, isTransactional, readControlMarker, type BatchHeader } from './record-batch.js'

/**
 * Transaction bookkeeping of one partition: which producers have a transaction open here
 * (from the offset of its first record) and which offset ranges belong to aborted ones.
 *
 * read_committed readers stop at the last stable offset (the first offset of the oldest
 * open transaction) and skip batches that fall in an aborted range of their producer.
 */
export interface AbortedRange {
  readonly producerId: number
  readonly firstOffset: number
  readonly lastOffset: number
}

export interface ProducerStateSnapshot {
  readonly ongoing: readonly (readonly [number, number])[]
  readonly aborted: readonly AbortedRange[]
}

export class ProducerState {
  /** producerId → offset of its open transaction's first record here. */
  private readonly ongoing = new Map<number, number>()
  /** Aborted ranges, ascending by lastOffset (the marker offset). */
  private aborted: AbortedRange[] = []

  /** Notes a transactional data batch. */
  onTransactionalBatch(producerId: number, baseOffset: number): void {
    if (!this.ongoing.has(producerId)) this.ongoing.set(producerId, baseOffset)
  }

  /** Notes a commit or abort marker written at `markerOffset`. */
  onMarker(producerId: number, marker: 'commit' | 'abort', markerOffset: number): void {
    const firstOffset = this.ongoing.get(producerId)
    if (firstOffset === undefined) return
    this.ongoing.delete(producerId)
    if (marker === 'abort') this.aborted.push({ producerId, firstOffset, lastOffset: markerOffset })
  }

  hasOngoing(producerId: number): boolean {
    return this.ongoing.has(producerId)
  }

  /** The first offset a read_committed reader must not pass. */
  lastStableOffset(endOffset: number): number {
    let lso = endOffset
    for (const first of this.ongoing.values()) if (first < lso) lso = first
    return lso
  }

  /** True when the transactional batch of `producerId` at `offset` was aborted. */
  isAborted(producerId: number, offset: number): boolean {
    const ranges = this.aborted
    // Binary search for the first range whose marker is at or after the offset.
    let low = 0
    let high = ranges.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (ranges[mid]!.lastOffset < offset) low = mid + 1
      else high = mid
    }
    for (let i = low; i < ranges.length; i++) {
      const range = ranges[i]!
      // The producer's first marker after the offset ends the transaction the batch belongs to.
      if (range.producerId === producerId) return range.firstOffset <= offset
    }
    return false
  }

  /** Forgets ranges wholly below the log start offset (after retention). */
  trimBelow(startOffset: number): void {
    if (this.aborted.length > 0 && this.aborted[0]!.lastOffset < startOffset) {
      this.aborted = this.aborted.filter((range) => range.lastOffset >= startOffset)
    }
  }

  /** Forgets everything at or past `offset` (after a truncation). */
  truncateTo(offset: number): void {
    for (const [producerId, first] of this.ongoing) if (first >= offset) this.ongoing.delete(producerId)
    this.aborted = this.aborted.filter((range) => range.lastOffset < offset)
  }

  snapshot(): ProducerStateSnapshot {
    return { ongoing: [...this.ongoing], aborted: this.aborted }
  }

  restore(snapshot: ProducerStateSnapshot): void {
    this.ongoing.clear()
    for (const [producerId, first] of snapshot.ongoing) this.ongoing.set(producerId, first)
    this.aborted = [...snapshot.aborted]
  }
}

/**
 * Keeps transaction bookkeeping current for a batch just appended or scanned: a transactional
 * data batch opens (or continues) its producer's transaction here, a marker ends it.
 *
 * @example
 * const header = readBatchHeader(batch, 0)
 * trackBatch(partition.producerState, header, batch, 0)
 */
export function trackBatch(state: ProducerState, header: BatchHeader, chunk: Buffer, at: number): void {
  if (!isTransactional(header)) return
  if (isControl(header)) state.onMarker(header.producerId, readControlMarker(chunk, at, header), header.baseOffset)
  else state.onTransactionalBatch(header.producerId, header.baseOffset)
}
