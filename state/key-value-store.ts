import { Observable, Subject, defer, filter, from, map, concat } from 'rxjs'
import type { LogSerdes } from './store-spec.js'
import { estimateSize, type CacheBudget } from './cache-budget.js'
import { primitiveKeyIdentity, type KeyIdentity } from './key-identity.js'
import { MISS, type LoggedBytesStore } from './logged-bytes-store.js'
import { overlayRange } from './overlay-range.js'
import type { BackendEntry, BackendRange, BackendWrite } from './backend/types.js'
import type { KeyValue, KeyValueStore } from './types.js'

/** The record behind a change (what a forwarded update says it came from). */
export interface ChangeSource {
  readonly timestamp: number
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly headers: readonly { readonly key: string; readonly value: Buffer }[]
}

const NO_SOURCE: ChangeSource = { timestamp: 0, topic: '', partition: -1, offset: -1, headers: [] }

/** A cached key: its value and the record behind its last change (fields copied, see `adopt`). */
interface CacheEntry<K, V> extends ChangeSource {
  readonly key: K
  /** undefined: known to be absent (or deleted, when dirty). */
  value: V | undefined
  timestamp: number
  topic: string
  partition: number
  offset: number
  headers: ChangeSource['headers']
  dirty: boolean
  /** Used since the eviction walk last passed it (a second chance, instead of reordering on every use). */
  recent: boolean
  size: number
}

/** A change of a key, as the cache forwards it: `value` undefined is a deletion. */
export interface KeyChange<K, V> {
  readonly key: K
  readonly value: V | undefined
  readonly source: ChangeSource
}

const NO_HEADERS: ChangeSource['headers'] = []

/**
 * Copies into a cache entry the fields of the record behind a change, and nothing else: a
 * record carries its input record, whose bytes are slices of a whole fetched batch, which a
 * long-lived cache entry would keep alive. Header values are copied for the same reason.
 */
function adopt<K, V>(entry: CacheEntry<K, V>, source: ChangeSource): void {
  entry.timestamp = source.timestamp
  entry.topic = source.topic
  entry.partition = source.partition
  entry.offset = source.offset
  entry.headers = source.headers.length === 0 ? NO_HEADERS : source.headers.map((header) => ({ key: header.key, value: Buffer.from(header.value) }))
}

/**
 * What an entry counts for beyond its key and value bytes: like Kafka Streams' cache, the size
 * is an estimate of the data held, not a measure of the JavaScript heap.
 */
const ENTRY_OVERHEAD = 64
/** Eviction frees this share of the budget at once, so the cache is walked once per many inserts. */
const EVICT_TO = 0.9

/**
 * A key-value store shard: typed over a LoggedBytesStore, with a write-back cache in front.
 * With the cache on, repeated updates of a key between commits are absorbed: only the last
 * reaches the changelog, the backend and `onFlush` (which forwards it downstream), at the next
 * `flush()` (the commit) or when the entry is evicted. With it off, every `put` goes through.
 * Reads answer synchronously when the value is at hand (`lookup`), so a hot key costs no promise.
 *
 * @example
 * const store = new CachedKeyValueStore(bytes, { key: serdes.string(), value: serdes.json() }, 'counts', budget)
 * const current = store.lookup('apple') // a value, undefined, or a promise of either
 */
export class CachedKeyValueStore<K, V> implements KeyValueStore<K, V> {
  /** Called with each change that leaves the cache (flush or eviction); with the cache off, not at all. */
  onFlush: ((change: KeyChange<K, V>) => void) | undefined
  /** Called with the key of each entry evicted from the cache (its value is below it now, if anywhere). */
  onEvict: ((key: K) => void) | undefined
  private readonly cache = new Map<unknown, CacheEntry<K, V>>()
  /** Lookups the cache answered, and those it did not (app metrics read them). */
  cacheHits = 0
  cacheMisses = 0
  /** Entries that became dirty since the last flush, in that order (an entry is listed while `dirty`). */
  private dirty: CacheEntry<K, V>[] = []
  /**
   * At most the oldest timestamp among the dirty entries since the last flush began (kept as
   * updates come, in O(1): an entry evicted or updated again leaves it lower than it need be,
   * which only holds a result back until the next flush), and the same for a flush under way.
   */
  private heldBackFrom = Infinity
  private flushingFrom = Infinity
  private readonly stringKeys: boolean
  private changes: Subject<KeyChange<K, V>> | undefined
  private lastKey: K | undefined
  private lastKeyBytes: Buffer | undefined
  private lastId: string | undefined
  /** The identity whose bytes `lastKeyBytes` are, when the key had a cheap identity. */
  private lastFastId: string | number | undefined

  constructor(
    private readonly bytes: LoggedBytesStore,
    private readonly serdes: LogSerdes<K, V>,
    readonly name: string,
    private readonly budget: CacheBudget | undefined,
    /**
     * A cheap identity per key (see key-identity.ts), by which the cache finds an entry without
     * serializing its key; it must never return a string of 0..255 char codes only (those are the
     * identities of keys by their bytes). Default: a number key's own value, for int32 and float64.
     */
    private readonly fastIdentity: KeyIdentity<K> | undefined = numberIdentity(serdes.key.name),
  ) {
    this.stringKeys = serdes.key.name === 'string'
  }

  /** Whether updates are absorbed by a cache (and forwarded on flush) or go straight through. */
  get caching(): boolean {
    return this.budget !== undefined && this.budget.maxBytes > 0
  }

  /** The value of `key`: synchronously when cached or at hand below, else a promise. */
  lookup(key: K): V | undefined | Promise<V | undefined> {
    const known = this.peek(key)
    if (known !== MISS) return known
    const keyBytes = this.keyBytesOf(key)
    const id = this.identify(key)
    return Promise.resolve(this.bytes.get(keyBytes)).then((bytes) => this.loaded(key, keyBytes, id, bytes))
  }

  get(key: K): Promise<V | undefined> {
    return Promise.resolve(this.lookup(key))
  }

  /** The value of `key` when it is at hand without reading the disk (cache, pending writes, a memory backend), else MISS. */
  peek(key: K): V | undefined | typeof MISS {
    const id = this.identify(key)
    const entry = this.cache.get(id)
    if (entry !== undefined) {
      this.cacheHits++
      entry.recent = true
      return entry.value
    }
    this.cacheMisses++
    const keyBytes = this.keyBytesOf(key)
    const stored = this.bytes.peek(keyBytes)
    return stored === MISS ? MISS : this.loaded(key, keyBytes, id, stored)
  }

  /**
   * The value of `key` when the cache holds it, else MISS, without looking below: for a caller
   * that knows the key was never written down (`CachedKeyValueStore.onEvict` tells it which were).
   */
  peekCached(key: K): V | undefined | typeof MISS {
    const entry = this.cache.get(this.identify(key))
    if (entry === undefined) {
      this.cacheMisses++
      return MISS
    }
    this.cacheHits++
    entry.recent = true
    return entry.value
  }

  /** Reads several keys in one round trip to the backend (what `peek` missed), caching what it finds. */
  async loadMany(keys: readonly K[]): Promise<(V | undefined)[]> {
    const keyBytes = keys.map((key) => this.serializeKey(key))
    const stored = await this.bytes.getMany(keyBytes)
    return keys.map((key, index) => this.loaded(key, keyBytes[index]!, this.identityOf(key, keyBytes[index]!), stored[index]))
  }

  put(key: K, value: V): void {
    this.update(key, value, NO_SOURCE)
  }

  delete(key: K): void {
    this.update(key, undefined, NO_SOURCE)
  }

  putAll(entries: Iterable<KeyValue<K, V>>): void {
    for (const { key, value } of entries) this.update(key, value, NO_SOURCE)
  }

  range(from: K, to: K): AsyncIterable<KeyValue<K, V>> {
    const lt = Buffer.concat([this.serializeKey(to), Buffer.from([0])])
    return this.scan({ gte: this.serializeKey(from), lt })
  }

  prefixScan(prefix: K): AsyncIterable<KeyValue<K, V>> {
    const gte = this.serializeKey(prefix)
    const lt = prefixEnd(gte)
    return this.scan(lt === undefined ? { gte } : { gte, lt })
  }

  all(): AsyncIterable<KeyValue<K, V>> {
    return this.scan({})
  }

  async approximateCount(): Promise<number> {
    return (await this.bytes.backend.approximateCount()) + this.dirty.filter((entry) => entry.dirty).length
  }

  /**
   * Hands every dirty entry down (changelog, write buffer, `onFlush`) in the order they became
   * dirty, and returns how many it flushed. The entries stay cached, clean.
   */
  flush(): number {
    const dirty = this.dirty
    this.dirty = []
    // Until handed down, the rest still counts as held back (oldestHeldBack), for whoever looks
    // while an entry is being forwarded.
    this.flushingFrom = this.heldBackFrom
    this.heldBackFrom = Infinity
    let flushed = 0
    try {
      for (const entry of dirty) {
        // An entry evicted meanwhile was handed down then, and is clean.
        if (!entry.dirty) continue
        this.writeThrough(entry)
        flushed++
      }
    } finally {
      this.flushingFrom = Infinity
    }
    return flushed
  }

  /** Changes of `key` as they leave the cache, starting with its current value. */
  watch(key: K): Observable<V | undefined> {
    this.changes ??= new Subject()
    const id = this.identify(key)
    const changes = this.changes.pipe(
      filter((change) => this.identify(change.key) === id),
      map((change) => change.value),
    )
    return concat(defer(() => from(this.get(key))), changes)
  }

  /**
   * At most the oldest timestamp among the updates this cache holds back from `onFlush` (Infinity
   * when it forwards nothing, or holds nothing back since the last flush): what a downstream
   * operator may not have seen yet.
   */
  oldestHeldBack(): number {
    return this.onFlush === undefined ? Infinity : Math.min(this.heldBackFrom, this.flushingFrom)
  }

  /** Drops the cache (the shard is closing); dirty entries are lost, as after a crash. */
  close(): void {
    for (const entry of this.cache.values()) this.release(entry)
    this.cache.clear()
    this.dirty = []
    this.heldBackFrom = Infinity
    this.changes?.complete()
  }

  /** Writes (undefined: deletes) a key on behalf of the record `source`, which a forwarded change carries. */
  update(key: K, value: V | undefined, source: ChangeSource): void {
    if (!this.caching) {
      this.bytes.put(this.keyBytesOf(key), value === undefined ? null : this.serializeValue(value))
      this.changes?.next({ key, value, source })
      return
    }
    const id = this.identify(key)
    const size = ENTRY_OVERHEAD + this.keyLength(key, id) + estimateSize(value)
    let entry = this.cache.get(id)
    if (entry !== undefined) {
      this.budget!.used += size - entry.size
      entry.value = value
      adopt(entry, source)
      if (entry.timestamp < this.heldBackFrom) this.heldBackFrom = entry.timestamp
      if (!entry.dirty) this.dirty.push(entry)
      entry.dirty = true
      entry.recent = true
      entry.size = size
    } else {
      entry = { key, value, timestamp: 0, topic: '', partition: -1, offset: -1, headers: NO_HEADERS, dirty: true, recent: false, size }
      adopt(entry, source)
      if (entry.timestamp < this.heldBackFrom) this.heldBackFrom = entry.timestamp
      this.cache.set(id, entry)
      this.dirty.push(entry)
      this.budget!.used += size
    }
    if (this.budget!.over) this.evict()
  }

  private loaded(key: K, keyBytes: Buffer, id: unknown, bytes: Buffer | undefined): V | undefined {
    // A write that landed while the read was under way is newer than what the read found.
    const current = this.cache.get(id)
    if (current !== undefined) return current.value
    // An absent key is not cached: the caller is about to write it (an aggregation's first
    // record of a key), and caching its absence first would only churn the cache.
    if (bytes === undefined) return undefined
    const value = this.serdes.value.deserialize(bytes, this.serdes.valueContext)
    if (this.caching) {
      const entry: CacheEntry<K, V> = { key, value, timestamp: 0, topic: '', partition: -1, offset: -1, headers: NO_HEADERS, dirty: false, recent: false, size: ENTRY_OVERHEAD + keyBytes.length + bytes.length }
      this.cache.set(id, entry)
      this.budget!.used += entry.size
      if (this.budget!.over) this.evict()
    }
    return value
  }

  /**
   * Evicts until the budget has some room again (one walk for many inserts), oldest first: the
   * "second chance" approximation of least recently used (CLOCK). An entry used since the walk
   * last passed it is spared once and moved to the end; any other goes, its change handed down
   * first when it is dirty.
   */
  private evict(): void {
    const target = this.budget!.maxBytes * EVICT_TO
    while (this.budget!.used > target && this.cache.size > 0) {
      const spared: [unknown, CacheEntry<K, V>][] = []
      for (const [id, entry] of this.cache) {
        if (this.budget!.used <= target) break
        if (entry.recent) {
          entry.recent = false
          spared.push([id, entry])
          continue
        }
        if (entry.dirty) this.writeThrough(entry)
        this.cache.delete(id)
        this.release(entry)
        this.onEvict?.(entry.key)
      }
      for (const [id, entry] of spared) {
        this.cache.delete(id)
        this.cache.set(id, entry)
      }
    }
  }

  private writeThrough(entry: CacheEntry<K, V>): void {
    entry.dirty = false
    this.bytes.put(this.keyBytesOf(entry.key), entry.value === undefined ? null : this.serializeValue(entry.value))
    const change: KeyChange<K, V> = { key: entry.key, value: entry.value, source: entry }
    this.onFlush?.(change)
    this.changes?.next(change)
  }

  private release(entry: CacheEntry<K, V>): void {
    if (this.budget !== undefined) this.budget.used -= entry.size
  }

  /** Entries whose key bytes are in `range`, in key order, the cache's dirty entries over what is stored. */
  async *scan(range: BackendRange): AsyncIterable<KeyValue<K, V>> {
    const changes: BackendWrite[] = []
    for (const entry of this.dirty) {
      if (entry.dirty) changes.push({ key: this.keyBytesOf(entry.key), value: entry.value === undefined ? null : this.serializeValue(entry.value) })
    }
    for await (const entry of overlayRange(changes, (unlimited) => this.bytes.range(unlimited), range)) yield this.decodeEntry(entry)
  }

  private decodeEntry(entry: BackendEntry): KeyValue<K, V> {
    return { key: this.serdes.key.deserialize(entry.key, this.serdes.keyContext), value: this.serdes.value.deserialize(entry.value, this.serdes.valueContext) }
  }

  private serializeKey(key: K): Buffer {
    return this.serdes.key.serialize(key, this.serdes.keyContext)
  }

  /**
   * The key's bytes. The last key serialized is remembered: an operator looks a key up and then
   * updates it, and that costs one serialization, not two.
   */
  private keyBytesOf(key: K): Buffer {
    const fast = this.fastIdentity?.(key)
    if (fast !== undefined) {
      if (fast !== this.lastFastId || this.lastKeyBytes === undefined) {
        this.lastKeyBytes = this.serializeKey(key)
        this.lastFastId = fast
        this.lastKey = undefined
        this.lastId = undefined
      }
      return this.lastKeyBytes
    }
    this.lastFastId = undefined
    // Only a primitive is the same key whenever it is the same value (an object may have changed).
    if (key !== this.lastKey || this.lastKeyBytes === undefined || (typeof key === 'object' && key !== null)) {
      this.lastKeyBytes = this.serializeKey(key)
      this.lastKey = key
      this.lastId = undefined
    }
    return this.lastKeyBytes
  }

  private identityOf(key: K, keyBytes: Buffer): unknown {
    if (this.stringKeys) return key
    return this.fastIdentity?.(key) ?? keyBytes.toString('latin1')
  }

  /** The key's identity in the cache: a string key itself, else its cheap identity when it has one, else its bytes as a latin1 string. */
  private identify(key: K): unknown {
    if (this.stringKeys) return key
    const fast = this.fastIdentity?.(key)
    if (fast !== undefined) return fast
    const bytes = this.keyBytesOf(key)
    this.lastId ??= bytes.toString('latin1')
    return this.lastId
  }

  /**
   * The size of a key with identity `id` (from `identify`), for the cache's accounting: a string
   * key's UTF-8 length without encoding it, else the length of its identity (its bytes as latin1,
   * or a cheap identity's text, an estimate that spares serializing the key), 8 for a number.
   */
  private keyLength(key: K, id: unknown): number {
    if (this.stringKeys) return Buffer.byteLength(key as string)
    return typeof id === 'string' ? id.length : 8
  }

  private serializeValue(value: V): Buffer {
    return this.serdes.value.serialize(value, this.serdes.valueContext)
  }

}

/** A number key's own value as its identity, for the number serdes whose bytes it fixes. */
function numberIdentity<K>(serdeName: string): KeyIdentity<K> | undefined {
  return serdeName === 'int32' || serdeName === 'float64' ? (primitiveKeyIdentity(serdeName) as KeyIdentity<K>) : undefined
}

/** The smallest key greater than every key starting with `prefix` (undefined: none, all 0xff). */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return undefined
}

