import { lowerBound } from '../../core/sorted.js'
import type { JoinSide, JoinWindows } from '../../core/runtime/join-windows.js'
import type { CachedKeyValueStore } from '../../state/key-value-store.js'
import type { UnmatchedKey, UnmatchedValues } from './join-serdes.js'

/** The unmatched records of one side, key and timestamp. */
export interface Unmatched<K> {
  readonly side: JoinSide
  readonly key: K
  readonly timestamp: number
  readonly values: readonly unknown[]
}

/**
 * The records of a left or outer stream-stream join that found no match yet (Kafka Streams'
 * outer-join store), held until their join window closes: a left record at `t` at
 * `t + after + grace`, a right one at `t + before + grace`. They are kept in a changelogged
 * store, so a restart loses none, and indexed in memory by closing time, so that releasing the
 * closed ones costs no scan. A match removes every record of that side, key and timestamp.
 *
 * @example
 * const unmatched = new UnmatchedRecords(store, windows, identify)
 * await unmatched.restore()
 * unmatched.add('left', 'order-1', 1_000, order)
 * for (const closed of unmatched.takeClosed(streamTime, () => false)) emit(…)
 */
export class UnmatchedRecords<K> {
  /** Held records by closing time, closing times ascending in `closes`. */
  private readonly byClose = new Map<number, Map<string, Unmatched<K>>>()
  private readonly closes: number[] = []

  constructor(
    private readonly store: CachedKeyValueStore<UnmatchedKey<K>, UnmatchedValues>,
    private readonly windows: JoinWindows,
    /** A key's identity (its serialized bytes as a string). */
    private readonly identify: (key: K) => string,
  ) {}

  /** Loads what an earlier run held (call once, before anything else). */
  async restore(): Promise<void> {
    for await (const { key, value } of this.store.all()) this.hold({ side: key.side, key: key.key, timestamp: key.timestamp, values: value.values })
  }

  /** Holds a record that found no match. */
  add(side: JoinSide, key: K, timestamp: number, value: unknown): void {
    const held = this.byClose.get(this.closeOf(side, timestamp))?.get(this.idOf(side, key, timestamp))
    const values = [...(held?.values ?? []), value]
    this.store.put({ side, timestamp, key }, { side, values })
    this.hold({ side, key, timestamp, values })
  }

  /** Forgets the records of a side, key and timestamp: a record of the other side matched them. */
  remove(side: JoinSide, key: K, timestamp: number): void {
    const close = this.closeOf(side, timestamp)
    const window = this.byClose.get(close)
    if (window === undefined || !window.delete(this.idOf(side, key, timestamp))) return
    this.store.delete({ side, timestamp, key })
    if (window.size === 0) this.forget(close)
  }

  /**
   * Takes the records whose window closed by `streamTime` (their close at or before it), oldest
   * first, except those of keys that `busy` says still have records in process (one of them may
   * match), which stay for a later call.
   */
  takeClosed(streamTime: number, busy: (key: K) => boolean): Unmatched<K>[] {
    const taken: Unmatched<K>[] = []
    for (let index = 0; index < this.closes.length && this.closes[index]! <= streamTime; ) {
      const close = this.closes[index]!
      const window = this.byClose.get(close)!
      for (const [id, held] of window) {
        if (busy(held.key)) continue
        window.delete(id)
        this.store.delete({ side: held.side, timestamp: held.timestamp, key: held.key })
        taken.push(held)
      }
      if (window.size === 0) this.forget(close)
      else index++
    }
    return taken
  }

  private hold(held: Unmatched<K>): void {
    const close = this.closeOf(held.side, held.timestamp)
    let window = this.byClose.get(close)
    if (window === undefined) {
      window = new Map()
      this.byClose.set(close, window)
      this.closes.splice(lowerBound(this.closes, close), 0, close)
    }
    window.set(this.idOf(held.side, held.key, held.timestamp), held)
  }

  private forget(close: number): void {
    this.byClose.delete(close)
    this.closes.splice(lowerBound(this.closes, close), 1)
  }

  private closeOf(side: JoinSide, timestamp: number): number {
    return timestamp + (side === 'left' ? this.windows.afterMs : this.windows.beforeMs) + this.windows.graceMs
  }

  private idOf(side: JoinSide, key: K, timestamp: number): string {
    return `${side}:${timestamp}:${this.identify(key)}`
  }
}
