import type { LoggedBytesStore } from './logged-bytes-store.js'
import { readTime, timeBytes, MIN_TIME } from './time-bytes.js'

/**
 * Stream time and retention of a segmented store (window and session stores). Keys open with
 * their segment id, `floor(time / segmentIntervalMs)` (time being a window's start or a
 * session's end), so the data of a span of time is a contiguous run of keys and retention
 * drops whole segments with one range delete.
 *
 * Stream time is the highest time put so far. A time is expired once it is older than
 * `streamTime - retentionMs + 1` (as in Kafka Streams): puts of it are ignored and reads skip
 * it; segments wholly before the segment of `streamTime - retentionMs` are deleted, locally
 * only (the changelog is a compacted topic with its own retention).
 *
 * After a restart or a restore, stream time is unknown until `ready()` reads the newest key on
 * disk: its segment's start is taken as stream time, a lower bound that the next put past it
 * corrects. Until then reads of up to one segment beyond retention may still be answered.
 *
 * @example
 * const retention = new SegmentedRetention(bytes, 3_600_000)
 * retention.observe(windowStart)
 * if (!retention.isExpired(windowStart)) bytes.put(key, value)
 */
export class SegmentedRetention {
  readonly segmentIntervalMs: number
  private streamTimeMs = -Infinity
  /** Segments below this one are gone (or going). */
  private firstKeptSegment = -Infinity
  private loading: Promise<void> | undefined
  private loaded = false
  private newestSegmentOnDisk = -Infinity
  private expiredPuts = 0

  constructor(
    private readonly bytes: LoggedBytesStore,
    readonly retentionMs: number,
    /** Called before segments are dropped (a cache above writes its changes down first). */
    private readonly beforeDrop?: () => void,
  ) {
    // Kafka Streams' choice: few segments alive at once, and never tiny ones.
    this.segmentIntervalMs = Math.max(Math.floor(retentionMs / 2), 60_000)
  }

  /** The highest time seen (-Infinity before any). */
  get streamTime(): number {
    return this.streamTimeMs
  }

  /** Puts ignored because their time was already expired. */
  get expiredPutCount(): number {
    return this.expiredPuts
  }

  segmentOf(time: number): number {
    return Math.floor(time / this.segmentIntervalMs)
  }

  /** The oldest time still readable. */
  get earliestLiveTime(): number {
    return Math.max(MIN_TIME, this.streamTimeMs - this.retentionMs + 1)
  }

  /** Advances stream time to `time`, dropping the segments that fell out of retention. */
  observe(time: number): void {
    // Loads in the background; a failure reaches the next read, which awaits `ready()`.
    this.ready()?.catch(() => undefined)
    if (time <= this.streamTimeMs) return
    this.streamTimeMs = time
    const firstLive = this.segmentOf(time - this.retentionMs)
    if (firstLive <= this.firstKeptSegment) return
    this.firstKeptSegment = firstLive
    this.beforeDrop?.()
    // From the very first key: segments restored from an older changelog go too. A failure is
    // kept by the bytes store and thrown by its next flush (the commit), so it is not lost here.
    this.bytes.deleteRangeLocally(Buffer.alloc(0), timeBytes(firstLive)).catch(() => undefined)
  }

  /** Whether a put of `time` is to be ignored; counts it if so. */
  rejects(time: number): boolean {
    if (time >= this.earliestLiveTime) return false
    this.expiredPuts++
    return true
  }

  isExpired(time: number): boolean {
    return time < this.earliestLiveTime
  }

  /**
   * The segments that may hold times in [from, to], ascending: from the first live one at the
   * earliest, to stream time's (no key lies beyond it) at the latest. Empty before any data.
   */
  segmentsBetween(from: number, to: number): number[] {
    if (this.streamTimeMs === -Infinity) return []
    const first = this.segmentOf(Math.max(from, this.earliestLiveTime))
    const last = Math.min(this.segmentOf(to), this.segmentOf(this.streamTimeMs))
    const segments: number[] = []
    for (let segment = first; segment <= last; segment++) segments.push(segment)
    return segments
  }

  /**
   * The segment of the newest key on disk when the store was opened (-Infinity: none), once
   * `ready()` has resolved: no segment after it had any key then.
   */
  get newestSegmentAtOpen(): number {
    return this.newestSegmentOnDisk
  }

  /** Resolves once stream time reflects what is on disk; reads wait for it, once. */
  ready(): Promise<void> | undefined {
    if (this.loaded) return undefined
    this.loading ??= this.load()
    return this.loading
  }

  private async load(): Promise<void> {
    for await (const { key } of this.bytes.range({ reverse: true, limit: 1 })) {
      this.newestSegmentOnDisk = readTime(key, 0)
      this.observe(readTime(key, 0) * this.segmentIntervalMs)
    }
    this.loaded = true
  }
}

/**
 * Bounds of a whole segment's keys.
 *
 * @example
 * for await (const entry of bytes.range(segmentBounds(3))) …
 */
export function segmentBounds(segment: number): { readonly gte: Buffer; readonly lt: Buffer } {
  return { gte: timeBytes(segment), lt: timeBytes(segment + 1) }
}
