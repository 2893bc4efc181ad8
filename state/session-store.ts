import { ConfigError } from '../core/errors.js'
import { StateTimestampError } from './errors.js'
import type { LoggedBytesStore } from './logged-bytes-store.js'
import { SegmentedRetention } from './segmented-retention.js'
import { decodeSessionKey, encodeSessionKey, sessionKeyRange } from './session-key.js'
import { StoreCodec, type StoreSerdes } from './store-codec.js'
import { MAX_TIME, MIN_TIME } from './time-bytes.js'
import { queryTime, storedTime } from './time-arguments.js'
import type { KeyValue, SessionStore, Windowed } from './types.js'

/** Name and retention of a session store. */
export interface SessionStoreOptions {
  readonly name: string
  /** How long sessions stay, in stream time past their end. */
  readonly retentionMs: number
  /** Stream time comes from the caller (`advanceStreamTime`) instead of from the puts (see WindowStoreOptions). */
  readonly streamTimeFromCaller?: boolean
}

/**
 * A session store shard over a LoggedBytesStore: every put is visible at once and logged to
 * the changelog with the same key bytes as stored (see session-key.ts for the layout).
 * Sessions are kept for `retentionMs` of stream time (the highest session end put): a put of
 * a session that ended before is ignored, reads skip such sessions, and whole segments of them
 * are dropped locally.
 *
 * @example
 * const store = new LoggedSessionStore(bytes, { key: serdes.string(), value: serdes.int32() }, { name: 'visits', retentionMs: 86_400_000 })
 * store.put({ key: 'user-1', window: { start: 1_000, end: 4_000 } }, 2)
 * for await (const { key, value } of store.findSessions('user-1', 3_000, 9_000)) … // the session above
 */
export class LoggedSessionStore<K, V> implements SessionStore<K, V> {
  private readonly streamTimeFromCaller: boolean
  readonly name: string
  readonly retentionMs: number
  private readonly codec: StoreCodec<K, V>
  private readonly retention: SegmentedRetention

  constructor(
    private readonly bytes: LoggedBytesStore,
    serdes: StoreSerdes<K, V>,
    options: SessionStoreOptions,
  ) {
    const { name, retentionMs } = options
    if (!Number.isSafeInteger(retentionMs) || retentionMs < 0) throw new ConfigError('retentionMs', `session store ${name}: must be a non-negative integer, got ${retentionMs}`)
    this.streamTimeFromCaller = options.streamTimeFromCaller === true
    this.name = name
    this.retentionMs = retentionMs
    this.codec = new StoreCodec(serdes, name)
    this.retention = new SegmentedRetention(bytes, retentionMs)
  }

  /** Puts and removes ignored because their session had already expired. */
  get expiredPutCount(): number {
    return this.retention.expiredPutCount
  }

  /**
   * Sessions of `key` with `end >= earliestSessionEnd` and `start <= latestSessionStart`: those
   * a record at time t may merge with, asked as findSessions(key, t - gap, t + gap). Ordered by
   * end, then start.
   */
  async *findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): AsyncIterable<KeyValue<Windowed<K>, V>> {
    const earliestEnd = queryTime(this.name, 'earliestSessionEnd', earliestSessionEnd, 'from')
    const latestStart = queryTime(this.name, 'latestSessionStart', latestSessionStart, 'to')
    const keyBytes = this.codec.encodeKey(key)
    await this.retention.ready()
    const from = Math.max(earliestEnd, this.retention.earliestLiveTime)
    for (const segment of this.retention.segmentsBetween(from, MAX_TIME)) {
      for await (const entry of this.bytes.range(sessionKeyRange(segment, keyBytes, from))) {
        const { start, end } = decodeSessionKey(entry.key)
        if (start > latestStart) continue
        yield { key: { key, window: { start, end } }, value: this.codec.decodeValue(entry.value) }
      }
    }
  }

  async fetchSession(key: K, start: number, end: number): Promise<V | undefined> {
    this.checkSession(start, end)
    const loading = this.retention.ready()
    if (loading !== undefined) await loading
    if (this.retention.isExpired(end)) return undefined
    const value = await this.bytes.get(encodeSessionKey(this.retention.segmentOf(end), this.codec.encodeKey(key), start, end))
    return value === undefined ? undefined : this.codec.decodeValue(value)
  }

  /** Every live session of `key`, ordered by end, then start. */
  fetch(key: K): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.findSessions(key, MIN_TIME, MAX_TIME)
  }

  put(session: Windowed<K>, value: V): void {
    this.write(session, this.codec.encodeValue(value))
  }

  remove(session: Windowed<K>): void {
    this.write(session, null)
  }

  /** Moves stream time on (with `streamTimeFromCaller`): sessions ended longer ago than the retention expire. */
  advanceStreamTime(time: number): void {
    if (time !== -Infinity) this.retention.observe(time)
  }

  private write(session: Windowed<K>, value: Buffer | null): void {
    const { start, end } = session.window
    this.checkSession(start, end)
    if (!this.streamTimeFromCaller) this.retention.observe(end)
    if (this.retention.rejects(end)) return
    this.bytes.put(encodeSessionKey(this.retention.segmentOf(end), this.codec.encodeKey(session.key), start, end), value)
  }

  private checkSession(start: number, end: number): void {
    storedTime(this.name, 'session start', start)
    storedTime(this.name, 'session end', end)
    if (start > end) throw new StateTimestampError(this.name, 'session end', end, `must not be before the session start (${start})`)
  }
}
