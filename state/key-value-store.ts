import { Observable, Subject, defer, filter, from, map, concat } from 'rxjs'
import type { LogSerdes } from './store-spec.js'
import { estimateSize, type CacheBudget } from './cache-budget.js'
import type { LoggedBytesStore } from './logged-bytes-store.js'
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

interface CacheEntry<K, V> {
  readonly key: K
  readonly keyBytes: Buffer
  /** undefined: known to be absent (or deleted, when dirty). */
  value: V | undefined
  source: ChangeSource
  dirty: boolean
  size: number
}

/** A change of a key, as the cache forwards it: `value` undefined is a deletion. */
export interface KeyChange<K, V> {
  readonly key: K
  readonly value: V | undefined
  readonly source: ChangeSource
}

const ENTRY_OVERHEAD = 96

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
  private readonly cache = new Map<unknown, CacheEntry<K, V>>()
  private readonly dirty = new Set<unknown>()
  private readonly stringKeys: boolean
  private changes: Subject<KeyChange<K, V>> | undefined

  constructor(
    private readonly bytes: LoggedBytesStore,
    private readonly serdes: LogSerdes<K, V>,
    readonly name: string,
    private readonly budget: CacheBudget | undefined,
  ) {
    this.stringKeys = serdes.key.name === 'string'
  }

  /** Whether updates are absorbed by a cache (and forwarded on flush) or go straight through. */
  get caching(): boolean {
    return this.budget !== undefined && this.budget.maxBytes > 0
  }

  /** The value of `key`: synchronously when cached or at hand below, else a promise. */
  lookup(key: K): V | undefined | Promise<V | undefined> {
    const keyBytes = this.serializeKey(key)
    const id = this.identity(key, keyBytes)
    const entry = this.cache.get(id)
    if (entry !== undefined) return entry.value
    const stored = this.bytes.get(keyBytes)
    if (!(stored instanceof Promise)) return this.loaded(key, keyBytes, id, stored)
    return stored.then((bytes) => this.loaded(key, keyBytes, id, bytes))
  }

  get(key: K): Promise<V | undefined> {
    return Promise.resolve(this.lookup(key))
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
    return (await this.bytes.backend.approximateCount()) + this.dirty.size
  }

  /**
   * Hands every dirty entry down (changelog, write buffer, `onFlush`) in the order they became
   * dirty, and returns how many it flushed. The entries stay cached, clean.
   */
  flush(): number {
    let flushed = 0
    for (const id of this.dirty) {
      const entry = this.cache.get(id)
      if (entry !== undefined) this.writeThrough(entry)
      flushed++
    }
    this.dirty.clear()
    return flushed
  }

  /** Changes of `key` as they leave the cache, starting with its current value. */
  watch(key: K): Observable<V | undefined> {
    this.changes ??= new Subject()
    const id = this.identity(key, this.serializeKey(key))
    const changes = this.changes.pipe(
      filter((change) => this.identity(change.key, this.serializeKey(change.key)) === id),
      map((change) => change.value),
    )
    return concat(defer(() => from(this.get(key))), changes)
  }

  /** Drops the cache (the shard is closing); dirty entries are lost, as after a crash. */
  close(): void {
    for (const entry of this.cache.values()) this.release(entry)
    this.cache.clear()
    this.dirty.clear()
    this.changes?.complete()
  }

  /** Writes (undefined: deletes) a key on behalf of the record `source`, which a forwarded change carries. */
  update(key: K, value: V | undefined, source: ChangeSource): void {
    const keyBytes = this.serializeKey(key)
    if (!this.caching) {
      this.bytes.put(keyBytes, value === undefined ? null : this.serializeValue(value))
      this.changes?.next({ key, value, source })
      return
    }
    const id = this.identity(key, keyBytes)
    const existing = this.cache.get(id)
    if (existing !== undefined) {
      // Most recently used: to the end of the map's order.
      this.cache.delete(id)
      this.budget!.used -= existing.size
    }
    const entry: CacheEntry<K, V> = { key, keyBytes, value, source, dirty: true, size: ENTRY_OVERHEAD + keyBytes.length + estimateSize(value) }
    this.cache.set(id, entry)
    this.dirty.add(id)
    this.budget!.used += entry.size
    if (this.budget!.over) this.evict()
  }

  private loaded(key: K, keyBytes: Buffer, id: unknown, bytes: Buffer | undefined): V | undefined {
    // A write that landed while the read was under way is newer than what the read found.
    const current = this.cache.get(id)
    if (current !== undefined) return current.value
    const value = bytes === undefined ? undefined : this.serdes.value.deserialize(bytes, this.serdes.valueContext)
    if (this.caching) {
      const entry: CacheEntry<K, V> = { key, keyBytes, value, source: NO_SOURCE, dirty: false, size: ENTRY_OVERHEAD + keyBytes.length + (bytes?.length ?? 8) }
      this.cache.set(id, entry)
      this.budget!.used += entry.size
      if (this.budget!.over) this.evict()
    }
    return value
  }

  private evict(): void {
    for (const [id, entry] of this.cache) {
      if (!this.budget!.over) return
      if (entry.dirty) {
        this.dirty.delete(id)
        this.writeThrough(entry)
      }
      this.cache.delete(id)
      this.release(entry)
    }
  }

  private writeThrough(entry: CacheEntry<K, V>): void {
    entry.dirty = false
    this.bytes.put(entry.keyBytes, entry.value === undefined ? null : this.serializeValue(entry.value))
    const change: KeyChange<K, V> = { key: entry.key, value: entry.value, source: entry.source }
    this.onFlush?.(change)
    this.changes?.next(change)
  }

  private release(entry: CacheEntry<K, V>): void {
    if (this.budget !== undefined) this.budget.used -= entry.size
  }

  private async *scan(range: BackendRange): AsyncIterable<KeyValue<K, V>> {
    const changes: BackendWrite[] = []
    for (const id of this.dirty) {
      const entry = this.cache.get(id)
      if (entry !== undefined) changes.push({ key: entry.keyBytes, value: entry.value === undefined ? null : this.serializeValue(entry.value) })
    }
    for await (const entry of overlayRange(changes, (unlimited) => this.bytes.range(unlimited), range)) yield this.decodeEntry(entry)
  }

  private decodeEntry(entry: BackendEntry): KeyValue<K, V> {
    return { key: this.serdes.key.deserialize(entry.key, this.serdes.keyContext), value: this.serdes.value.deserialize(entry.value, this.serdes.valueContext) }
  }

  private serializeKey(key: K): Buffer {
    return this.serdes.key.serialize(key, this.serdes.keyContext)
  }

  private serializeValue(value: V): Buffer {
    return this.serdes.value.serialize(value, this.serdes.valueContext)
  }

  /** Keys compare by content: a string key by itself, any other by its bytes. */
  private identity(key: K, keyBytes: Buffer): unknown {
    return this.stringKeys ? key : keyBytes.toString('latin1')
  }
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

