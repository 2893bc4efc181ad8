import type { Serde } from '../serde/types.js'
import { json } from '../serde/json.js'
import { checkStoreName, type KeyValueStoreSpec, type WindowStoreSpec } from '../../state/store-spec.js'
import { unmatchedKey, unmatchedValues, valueList } from '../../operators/internal/join-serdes.js'

/**
 * The window of a stream-stream join (Kafka Streams' `JoinWindows`): a record of this (left)
 * stream at `t` joins the other stream's records of the same key at `t - before` to `t + after`,
 * both included. Records may come out of order up to `grace` after a window's end; a left or
 * outer join emits a record that found no match once its window has closed. Made by
 * `joinWindow(...)`.
 */
export interface JoinWindows {
  readonly kind: 'join'
  /** For describe() and errors: `joinWindow(5m, grace 30s)`. */
  readonly name: string
  /** How much earlier than a left record a right record may be. */
  readonly beforeMs: number
  /** How much later than a left record a right record may be. */
  readonly afterMs: number
  readonly graceMs: number
}

/** Which input of a join a record came from: the stream `join` was called on, or its argument. */
export type JoinSide = 'left' | 'right'

/** Inner joins emit matches only; left joins also unmatched left records; outer joins unmatched records of both sides. */
export type JoinKind = 'inner' | 'left' | 'outer'

/** What a stream-stream join's stores are named after and how they write keys and values. */
export interface StreamJoinOptions<K, V, VR> {
  /**
   * Names the join's stores (and their changelog topics): `<name>-left` and `<name>-right`, the
   * windows of each side, and for `leftJoin` and `outerJoin` `<name>-unmatched`, the records
   * waiting for their window to close. A stable name, so the state outlives changes elsewhere.
   */
  readonly name: string
  /** Serdes of the stores (JSON by default): the key, this stream's values, the other stream's values. */
  readonly key?: Serde<NonNullable<K>>
  readonly value?: Serde<NonNullable<V>>
  readonly otherValue?: Serde<NonNullable<VR>>
}

/** The stores of a stream-stream join. */
export interface StreamJoinStores {
  /** What the stores are named after (the user's name for the join). */
  readonly name: string
  readonly left: WindowStoreSpec
  readonly right: WindowStoreSpec
  /** For left and outer joins only. */
  readonly unmatched: KeyValueStoreSpec | undefined
}

/**
 * The specs of a stream-stream join's stores. Each side's records are kept for the whole span a
 * later record may still join them (before + after + grace, and one millisecond for the record
 * that arrives exactly as its window closes), with all values of one key and timestamp in one
 * entry.
 *
 * @example
 * streamJoinStores('left', joinWindow('5m'), { name: 'orders-payments' })
 */
export function streamJoinStores(kind: JoinKind, windows: JoinWindows, options: StreamJoinOptions<unknown, unknown, unknown>): StreamJoinStores {
  const key = (options.key ?? json()) as Serde<unknown>
  const leftValue = (options.value ?? json()) as Serde<unknown>
  const rightValue = (options.otherValue ?? json()) as Serde<unknown>
  const spanMs = windows.beforeMs + windows.afterMs
  const windowStore = (side: JoinSide, value: Serde<unknown>): WindowStoreSpec => {
    const name = `${options.name}-${side}`
    checkStoreName(name)
    return { kind: 'window', name, key, value: valueList(value) as Serde<unknown>, windowSizeMs: Math.max(1, spanMs), retentionMs: spanMs + windows.graceMs + 1, streamTimeFromCaller: true, cache: false, resident: true }
  }
  let unmatched: KeyValueStoreSpec | undefined
  if (kind !== 'inner') {
    const name = `${options.name}-unmatched`
    checkStoreName(name)
    unmatched = { kind: 'key-value', name, key: unmatchedKey(key) as Serde<unknown>, value: unmatchedValues(leftValue, rightValue) as Serde<unknown>, cache: false }
  }
  return { name: options.name, left: windowStore('left', leftValue), right: windowStore('right', rightValue), unmatched }
}
