/**
 * The stores' public shapes. Reads are async (a shard may be on disk); writes are synchronous
 * and land in the shard's cache or write buffer, becoming durable at the task's next commit
 * (and logged to the store's changelog topic). Ranges follow the order of the serialized keys,
 * so use a key serde whose bytes sort like its values (string, int32/int64 big-endian) to scan.
 */

/** A key with its value. */
export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

/** What anyone may read of a key-value store, in the pipeline or through `app.store(name)`. */
export interface ReadOnlyKeyValueStore<K, V> {
  /** The value of `key`, or undefined. */
  get(key: K): Promise<V | undefined>
  /** Entries with `from <= key <= to` (by serialized key), in order. */
  range(from: K, to: K): AsyncIterable<KeyValue<K, V>>
  /** Entries whose serialized key starts with the serialized `prefix`. */
  prefixScan(prefix: K): AsyncIterable<KeyValue<K, V>>
  /** Every entry, in key order. */
  all(): AsyncIterable<KeyValue<K, V>>
  /** About how many entries there are (exact for memory stores). */
  approximateCount(): Promise<number>
}

/**
 * A key-value store shard of a task.
 *
 * @example
 * const counts = context.store<string, number>('counts')
 * counts.put('apple', ((await counts.get('apple')) ?? 0) + 1)
 */
export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V): void
  delete(key: K): void
  putAll(entries: Iterable<KeyValue<K, V>>): void
}

import type { TimeWindow, Windowed } from '../core/time/windows.js'

export type { TimeWindow, Windowed }

/**
 * Values per key and fixed-size window, kept for `retentionMs` of stream time (the highest
 * window start written): older windows are dropped.
 *
 * @example
 * store.put('user-1', 60_000, 3)             // the window [60 s, 60 s + size)
 * for await (const { window, value } of store.fetchRange('user-1', 0, 120_000)) …
 */
export interface WindowStore<K, V> {
  readonly windowSizeMs: number
  readonly retentionMs: number
  /** Writes the value of `key` in the window starting at `windowStart`; `null` removes it. */
  put(key: K, windowStart: number, value: V | null): void
  fetch(key: K, windowStart: number): Promise<V | undefined>
  /** The windows of `key` starting within [from, to], by start time. */
  fetchRange(key: K, from: number, to: number): AsyncIterable<{ readonly window: TimeWindow; readonly value: V }>
  /** Every key's windows starting within [from, to]. */
  fetchAll(from: number, to: number): AsyncIterable<KeyValue<Windowed<K>, V>>
  all(): AsyncIterable<KeyValue<Windowed<K>, V>>
}

/**
 * Sessions per key: windows of activity whose bounds grow as records arrive and that merge
 * when a record bridges two. Kept for `retentionMs` of stream time past their end.
 *
 * @example
 * for await (const { key, value } of store.findSessions('user-1', t - gap, t + gap)) …
 */
export interface SessionStore<K, V> {
  readonly retentionMs: number
  /** Sessions of `key` with end >= earliestSessionEnd and start <= latestSessionStart. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): AsyncIterable<KeyValue<Windowed<K>, V>>
  fetchSession(key: K, start: number, end: number): Promise<V | undefined>
  /** Every session of `key`. */
  fetch(key: K): AsyncIterable<KeyValue<Windowed<K>, V>>
  put(session: Windowed<K>, value: V): void
  remove(session: Windowed<K>): void
}
