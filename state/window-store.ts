import { ConfigError } from '../core/errors.js'
import type { BackendEntry } from './backend/types.js'
import { MISS, type LoggedBytesStore } from './logged-bytes-store.js'
import { SegmentedRetention, segmentBounds } from './segmented-retention.js'
import { StoreCodec, type StoreSerdes } from './store-codec.js'
import { MAX_TIME, MIN_TIME } from './time-bytes.js'
import { queryTime, storedTime } from './time-arguments.js'
import type { KeyValue, TimeWindow, WindowStore, Windowed } from './types.js'
import { decodeWindowKey, encodeWindowKey, windowKeyRange } from './window-key.js'

/** Name, window size and retention of a window store. */
export interface WindowStoreOptions {
  readonly name: string
  /** Length of every window: `end = start + windowSizeMs`. */
  readonly windowSizeMs: number
  /** How long windows stay, in stream time past their start; at least `windowSizeMs`. */
  readonly retentionMs: number
  /**
   * Stream time comes from the caller (`advanceStreamTime`) instead of from the puts. An
   * operator that handles records asynchronously passes the stream time every record has been
   * handled to, so a put for a record still in flight is never taken for an expired one.
   */
  readonly streamTimeFromCaller?: boolean
}

/**
 * A window store shard over a LoggedBytesStore: every put is visible at once and logged to
 * the changelog with the same key bytes as stored (see window-key.ts for the layout). Windows
 * are kept for `retentionMs` of stream time (the highest window start put): a put of an older
 * window is ignored, reads skip such windows, and whole segments of expired windows are
 * dropped locally. Reads of one key scan one run of keys per segment, at most a few.
 *
 * @example
 * const store = new LoggedWindowStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'clicks', windowSizeMs: 60_000, retentionMs: 3_600_000 })
 * store.put('user-1', 60_000, 3)
 * await store.fetch('user-1', 60_000) // 3
 */
export class LoggedWindowStore<K, V> implements WindowStore<K, V> {
  private readonly streamTimeFromCaller: boolean
  readonly name: string
  readonly windowSizeMs: number
  readonly retentionMs: number
  private readonly codec: StoreCodec<K, V>
  private readonly retention: SegmentedRetention

  constructor(
    private readonly bytes: LoggedBytesStore,
    serdes: StoreSerdes<K, V>,
    options: WindowStoreOptions,
  ) {
    const { name, windowSizeMs, retentionMs } = options
    if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs <= 0) throw new ConfigError('windowSizeMs', `window store ${name}: must be a positive integer, got ${windowSizeMs}`)
    if (!Number.isSafeInteger(retentionMs) || retentionMs < windowSizeMs) {
      throw new ConfigError('retentionMs', `window store ${name}: must be an integer of at least windowSizeMs (${windowSizeMs}), got ${retentionMs}`)
    }
    this.name = name
    this.streamTimeFromCaller = options.streamTimeFromCaller === true
    this.windowSizeMs = windowSizeMs
    this.retentionMs = retentionMs
    this.codec = new StoreCodec(serdes, name)
    this.retention = new SegmentedRetention(bytes, retentionMs)
  }

  /** Moves stream time on (with `streamTimeFromCaller`): windows older than it by the retention expire. */
  advanceStreamTime(time: number): void {
    if (time !== -Infinity) this.retention.observe(time)
  }

  /** Puts ignored because their window was already past retention. */
  get expiredPutCount(): number {
    return this.retention.expiredPutCount
  }

  put(key: K, windowStart: number, value: V | null): void {
    storedTime(this.name, 'windowStart', windowStart)
    if (!this.streamTimeFromCaller) this.retention.observe(windowStart)
    if (this.retention.rejects(windowStart)) return
    const storeKey = encodeWindowKey(this.retention.segmentOf(windowStart), this.codec.encodeKey(key), windowStart)
    this.bytes.put(storeKey, value === null ? null : this.codec.encodeValue(value))
  }

  /** The value of `key` in the window starting at `windowStart` when at hand without I/O, else MISS. */
  peek(key: K, windowStart: number): V | undefined | typeof MISS {
    storedTime(this.name, 'windowStart', windowStart)
    if (this.retention.ready() !== undefined) return MISS
    if (this.retention.isExpired(windowStart)) return undefined
    const stored = this.bytes.peek(encodeWindowKey(this.retention.segmentOf(windowStart), this.codec.encodeKey(key), windowStart))
    return stored === MISS || stored === undefined ? stored : this.codec.decodeValue(stored)
  }

  async fetch(key: K, windowStart: number): Promise<V | undefined> {
    storedTime(this.name, 'windowStart', windowStart)
    const loading = this.retention.ready()
    if (loading !== undefined) await loading
    if (this.retention.isExpired(windowStart)) return undefined
    const value = await this.bytes.get(encodeWindowKey(this.retention.segmentOf(windowStart), this.codec.encodeKey(key), windowStart))
    return value === undefined ? undefined : this.codec.decodeValue(value)
  }

  async *fetchRange(key: K, from: number, to: number): AsyncIterable<{ readonly window: TimeWindow; readonly value: V }> {
    const first = queryTime(this.name, 'from', from, 'from')
    const last = queryTime(this.name, 'to', to, 'to')
    const keyBytes = this.codec.encodeKey(key)
    await this.retention.ready()
    const earliest = Math.max(first, this.retention.earliestLiveTime)
    for (const segment of this.retention.segmentsBetween(earliest, last)) {
      for await (const entry of this.bytes.range(windowKeyRange(segment, keyBytes, earliest, last))) {
        const { start } = decodeWindowKey(entry.key)
        yield { window: this.window(start), value: this.codec.decodeValue(entry.value) }
      }
    }
  }

  /** Every key's windows starting within [from, to]: by segment, then key (length, then bytes), then start. */
  async *fetchAll(from: number, to: number): AsyncIterable<KeyValue<Windowed<K>, V>> {
    const first = queryTime(this.name, 'from', from, 'from')
    const last = queryTime(this.name, 'to', to, 'to')
    await this.retention.ready()
    const earliest = Math.max(first, this.retention.earliestLiveTime)
    for (const segment of this.retention.segmentsBetween(earliest, last)) {
      for await (const entry of this.bytes.range(segmentBounds(segment))) {
        const windowed = this.decodeEntry(entry, earliest, last)
        if (windowed !== undefined) yield windowed
      }
    }
  }

  /** Every live window, in the order of `fetchAll`. */
  all(): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(MIN_TIME, MAX_TIME)
  }

  private decodeEntry(entry: BackendEntry, from: number, to: number): KeyValue<Windowed<K>, V> | undefined {
    const { key, start } = decodeWindowKey(entry.key)
    if (start < from || start > to) return undefined
    return { key: { key: this.codec.decodeKey(key), window: this.window(start) }, value: this.codec.decodeValue(entry.value) }
  }

  private window(start: number): TimeWindow {
    return { start, end: start + this.windowSizeMs }
  }
}
