import { ConfigError } from '../core/errors.js'
import type { Serde } from '../core/serde/types.js'
import type { CacheBudget } from './cache-budget.js'
import { primitiveKeyIdentity, type KeyIdentity } from './key-identity.js'
import { CachedKeyValueStore, type ChangeSource } from './key-value-store.js'
import { MISS, type LoggedBytesStore } from './logged-bytes-store.js'
import { ResidentWindows } from './resident-windows.js'
import { SegmentedRetention, segmentBounds } from './segmented-retention.js'
import { StoreCodec, type StoreSerdes } from './store-codec.js'
import { MAX_TIME, MIN_TIME } from './time-bytes.js'
import { queryTime, storedTime } from './time-arguments.js'
import type { KeyValue, TimeWindow, WindowStore, Windowed } from './types.js'
import { decodeWindowKey, encodeWindowKey, windowKeyRange } from './window-key.js'

const NO_SOURCE: ChangeSource = { timestamp: 0, topic: '', partition: -1, offset: -1, headers: [] }

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
  /** A write-back cache in front (absorbing repeated updates of a window between flushes); none by default. */
  readonly budget?: CacheBudget | undefined
  /**
   * Keep every live window in memory too (filled from the backend when the store opens), so
   * reads never wait on the disk: for stores read by range on every record (stream-stream joins),
   * whose retention keeps them small.
   */
  readonly resident?: boolean
}

/** A window's change as it leaves the cache (flush or eviction). */
export interface WindowChange<K, V> {
  readonly key: K
  readonly start: number
  /** Undefined: the window was deleted. */
  readonly value: V | undefined
  /** The record that made the change (its timestamp, origin and headers). */
  readonly source: ChangeSource
}

/** A key's window, as the cache holds it. */
interface Slot<K> {
  readonly key: K
  readonly start: number
  /** Its identity in the cache, once computed (see slotIdentity). */
  id?: string
}

/** How many window starts `slotOf` remembers a slot for before it forgets them all. */
const RECENT_STARTS = 256

/**
 * A window's identity in the cache when its key has a cheap one: `\u0100<start>|<key>`, never a
 * latin1 string (the identities of keys by their bytes), and one per window (the start holds no '|').
 */
function slotIdentity<K>(keySerdeName: string): KeyIdentity<Slot<K>> | undefined {
  const keyIdentity = primitiveKeyIdentity(keySerdeName)
  if (keyIdentity === undefined) return undefined
  // Few window starts are live at once: each one's text is made once, not once per key.
  const prefixes = new Map<number, string>()
  return (slot) => {
    if (slot.id !== undefined) return slot.id
    const key = keyIdentity(slot.key)
    if (key === undefined) return undefined
    let prefix = prefixes.get(slot.start)
    if (prefix === undefined) {
      if (prefixes.size >= RECENT_STARTS) prefixes.clear()
      prefix = `\u0100${slot.start}|`
      prefixes.set(slot.start, prefix)
    }
    slot.id = prefix + key
    return slot.id
  }
}

/**
 * A window store shard over a LoggedBytesStore: every put is visible at once and logged to
 * the changelog with the same key bytes as stored (see window-key.ts for the layout). With a
 * cache budget, puts are absorbed by a write-back cache (Kafka Streams' caching window store):
 * only a window's last update since the previous `flush()` reaches the changelog, the backend
 * and `onFlush`. Windows
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
  /** Windows as keys of a key-value store (cached or written through): what puts and reads go through. */
  private readonly slots: CachedKeyValueStore<Slot<K>, V>
  /** With `resident`: every live window in memory, once loaded. */
  private readonly resident: ResidentWindows<V> | undefined
  private residentLoading: Promise<void> | undefined
  private residentLoaded = false
  /** Puts made while the resident copy loads, applied after it. */
  private residentBacklog: { id: unknown; start: number; value: V | undefined }[] = []
  private readonly stringKeys: boolean
  /**
   * The slot last used per window start, for a key compared by value: an operator peeks a
   * record's windows, then puts them, and each window's slot (and its identity in the cache,
   * a string to build and hash) then serves both.
   */
  private readonly recentSlots = new Map<number, Slot<K>>()
  /** Window starts with an entry evicted from the cache (so written down) since the store opened. */
  private readonly evictedStarts = new Set<number>()

  constructor(
    bytes: LoggedBytesStore,
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
    this.stringKeys = serdes.key.name === 'string'
    this.resident = options.resident === true ? new ResidentWindows<V>() : undefined
    // Cached windows go down before their segment is dropped, so none comes back after it.
    this.retention = new SegmentedRetention(bytes, retentionMs, () => {
      this.slots.flush()
      this.resident?.expireBefore(this.retention.earliestLiveTime)
      for (const start of this.evictedStarts) if (this.retention.isExpired(start)) this.evictedStarts.delete(start)
    })
    const valueContext = serdes.valueContext ?? { topic: name, isKey: false }
    const slotSerde: Serde<Slot<K>> = {
      name: `window(${serdes.key.name})`,
      serialize: (slot) => encodeWindowKey(this.retention.segmentOf(slot.start), this.codec.encodeKey(slot.key), slot.start),
      deserialize: (bytes) => {
        const { key, start } = decodeWindowKey(bytes)
        return { key: this.codec.decodeKey(key), start }
      },
    }
    const slotSerdes = { key: slotSerde, value: serdes.value, keyContext: serdes.keyContext ?? { topic: name, isKey: true }, valueContext }
    this.slots = new CachedKeyValueStore<Slot<K>, V>(bytes, slotSerdes, name, options.budget, slotIdentity(serdes.key.name))
    this.slots.onEvict = (slot) => this.evictedStarts.add(slot.start)
  }

  /** Whether puts are absorbed by a cache (and forwarded on flush) or go straight through. */
  get caching(): boolean {
    return this.slots.caching
  }

  /** Called with each window's change as it leaves the cache; with the cache off, not at all. */
  set onFlush(listener: ((change: WindowChange<K, V>) => void) | undefined) {
    this.slots.onFlush = listener === undefined ? undefined : (change) => listener({ key: change.key.key, start: change.key.start, value: change.value, source: change.source })
  }

  /** Hands every cached change down (changelog, write buffer, `onFlush`); returns how many. */
  flush(): number {
    return this.slots.flush()
  }

  /** The oldest timestamp among the window updates the cache holds back from `onFlush` (Infinity: none). */
  oldestHeldBack(): number {
    return this.slots.oldestHeldBack()
  }

  /** Drops the cache (the shard is closing); unflushed changes are lost, as after a crash. */
  close(): void {
    this.slots.close()
  }

  /** Moves stream time on (with `streamTimeFromCaller`): windows older than it by the retention expire. */
  advanceStreamTime(time: number): void {
    if (time !== -Infinity) this.retention.observe(time)
  }

  /** Puts ignored because their window was already past retention. */
  get expiredPutCount(): number {
    return this.retention.expiredPutCount
  }

  /** Writes (null: deletes) the window of `key` starting at `windowStart`, on behalf of the record `source` when given. */
  put(key: K, windowStart: number, value: V | null, source?: ChangeSource): void {
    storedTime(this.name, 'windowStart', windowStart)
    if (!this.streamTimeFromCaller) this.retention.observe(windowStart)
    if (this.retention.rejects(windowStart)) return
    const stored = value === null ? undefined : value
    this.slots.update(this.slotOf(key, windowStart), stored, source ?? NO_SOURCE)
    if (this.resident === undefined) return
    if (this.residentLoaded) this.resident.set(this.idOf(key), windowStart, stored)
    else this.residentBacklog.push({ id: this.idOf(key), start: windowStart, value: stored })
  }

  /** Resolves once the resident copy holds what the backend has (at once when there is none or it is loaded). */
  private residentReady(): Promise<void> | undefined {
    if (this.resident === undefined || this.residentLoaded) return undefined
    this.residentLoading ??= (async () => {
      const resident = this.resident!
      for await (const { key: slot, value } of this.slots.scan({})) resident.set(this.idOf(slot.key), slot.start, value)
      for (const { id, start, value } of this.residentBacklog) resident.set(id, start, value)
      this.residentBacklog = []
      this.residentLoaded = true
    })()
    return this.residentLoading
  }

  /** A key's identity in the resident copy: a string key itself, any other its bytes as latin1. */
  private idOf(key: K): unknown {
    return this.stringKeys ? key : this.codec.encodeKey(key).toString('latin1')
  }

  /** The value of `key` in the window starting at `windowStart` when at hand without I/O, else MISS. */
  peek(key: K, windowStart: number): V | undefined | typeof MISS {
    storedTime(this.name, 'windowStart', windowStart)
    if (this.retention.ready() !== undefined) return MISS
    if (this.retention.isExpired(windowStart)) return undefined
    if (this.resident !== undefined) return this.residentReady() === undefined ? this.resident.get(this.idOf(key), windowStart) : MISS
    const slot = this.slotOf(key, windowStart)
    return this.neverWrittenDown(windowStart) ? this.cachedOrAbsent(slot) : this.slots.peek(slot)
  }

  /** A window that cannot be below the cache (see neverWrittenDown): its cached value, or absent. */
  private cachedOrAbsent(slot: Slot<K>): V | undefined {
    const cached = this.slots.peekCached(slot)
    return cached === MISS ? undefined : cached
  }

  /**
   * Whether no window starting at `start` can be below the cache: its segment had no key when
   * the store opened, and no entry of it was evicted since (one flushed stays cached). A cache
   * miss of such a window is then an absent window, known without a read: the usual case of a
   * windowed aggregation, whose every new window would otherwise cost a backend read that finds
   * nothing. Only with the cache on (without it every put goes down) and once `retention` has
   * looked at the disk.
   */
  private neverWrittenDown(start: number): boolean {
    return this.slots.caching && this.retention.ready() === undefined && this.retention.segmentOf(start) > this.retention.newestSegmentAtOpen && !this.evictedStarts.has(start)
  }

  /** The slot of `key`'s window at `start`: the one used last for that start when it is of the same key. */
  private slotOf(key: K, start: number): Slot<K> {
    // An object key may have changed since: only a primitive is the same key when it is the same value.
    if (typeof key === 'object' && key !== null) return { key, start }
    const recent = this.recentSlots.get(start)
    if (recent !== undefined && Object.is(recent.key, key)) return recent
    if (this.recentSlots.size >= RECENT_STARTS) this.recentSlots.clear()
    const slot: Slot<K> = { key, start }
    this.recentSlots.set(start, slot)
    return slot
  }

  async fetch(key: K, windowStart: number): Promise<V | undefined> {
    storedTime(this.name, 'windowStart', windowStart)
    const loading = this.retention.ready()
    if (loading !== undefined) await loading
    if (this.retention.isExpired(windowStart)) return undefined
    if (this.resident !== undefined) {
      await this.residentReady()
      return this.resident.get(this.idOf(key), windowStart)
    }
    if (this.neverWrittenDown(windowStart)) return this.cachedOrAbsent({ key, start: windowStart })
    return this.slots.get({ key, start: windowStart })
  }

  async *fetchRange(key: K, from: number, to: number): AsyncIterable<{ readonly window: TimeWindow; readonly value: V }> {
    const first = queryTime(this.name, 'from', from, 'from')
    const last = queryTime(this.name, 'to', to, 'to')
    await this.retention.ready()
    const earliest = Math.max(first, this.retention.earliestLiveTime)
    if (this.resident !== undefined) {
      await this.residentReady()
      for (const { start, value } of this.resident.range(this.idOf(key), earliest, last)) yield { window: this.window(start), value }
      return
    }
    const keyBytes = this.codec.encodeKey(key)
    for (const segment of this.retention.segmentsBetween(earliest, last)) {
      for await (const { key: slot, value } of this.slots.scan(windowKeyRange(segment, keyBytes, earliest, last))) {
        yield { window: this.window(slot.start), value }
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
      for await (const { key: slot, value } of this.slots.scan(segmentBounds(segment))) {
        if (slot.start >= earliest && slot.start <= last) yield { key: { key: slot.key, window: this.window(slot.start) }, value }
      }
    }
  }

  /** Every live window, in the order of `fetchAll`. */
  all(): AsyncIterable<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(MIN_TIME, MAX_TIME)
  }

  private window(start: number): TimeWindow {
    return { start, end: start + this.windowSizeMs }
  }
}
