import type { OperatorFunction } from 'rxjs'
import type { JoinKind, JoinSide } from '../core/runtime/join-windows.js'
import type { StreamRecord } from '../core/runtime/record.js'
import type { TopologyNode } from '../core/runtime/topology.js'
import type { CachedKeyValueStore } from '../state/key-value-store.js'
import { MISS } from '../state/logged-bytes-store.js'
import { joinInputs, isMissing, type SidedRecord } from './internal/join-inputs.js'
import { KeyedQueue } from './internal/keyed-queue.js'

/** What a joined value is when nothing is to be emitted. */
const NOTHING: unique symbol = Symbol('tributary.nothing')

/**
 * Kafka Streams' KTable-KTable equi-join: an update of either table looks its key up in the
 * other table's store and emits the joined value as an update of the result table, or a
 * tombstone when the key leaves it. Inner: only while both have the key (an update on a side the
 * other lacks emits nothing; deleting a joined key emits a tombstone). Left: while the left table
 * has it (`joiner(left, null)` without a right value). Outer: while either has it. Both tables
 * must be materialized. Used through `table.join(other, joiner)`, `leftJoin` and `outerJoin`.
 *
 * @example
 * const emailsWithPlans = emails.leftJoin(plans, (email, plan) => ({ email, plan: plan ?? 'free' }), { name: 'emails-with-plans' })
 */
export function tableTableJoin<K, VL, VR, VO>(
  kind: JoinKind,
  stores: { readonly left: string; readonly right: string },
  other: TopologyNode,
  joiner: (left: VL | null, right: VR | null, key: K) => VO,
): OperatorFunction<StreamRecord<K, VL | null>, StreamRecord<K, VO | null>> {
  const name = `${kind === 'inner' ? 'join' : `${kind}Join`}(${stores.left}, ${stores.right})`
  /** The result for an update of `side` (null: deleted) while the other side holds `other` (undefined: absent). */
  const joined = (side: JoinSide, value: unknown, other: unknown, key: K): VO | null | typeof NOTHING => {
    const left = (side === 'left' ? value : other ?? null) as VL | null
    const right = (side === 'right' ? value : other ?? null) as VR | null
    if (kind === 'inner') {
      if (other === undefined) return NOTHING
      return value === null ? null : joiner(left, right, key)
    }
    if (kind === 'left') {
      if (left === null) return side === 'left' ? null : NOTHING
      return joiner(left, right, key)
    }
    return left === null && right === null ? null : joiner(left, right, key)
  }
  const operator = joinInputs<StreamRecord<K, VO | null>>(name, other, (emit, context) => {
    if (context === undefined) throw new Error(`${name} reads the tables' stores, so it runs only inside a Tributary pipeline`)
    const tables = { left: context.store<CachedKeyValueStore<K, unknown>>(stores.left), right: context.store<CachedKeyValueStore<K, unknown>>(stores.right) }
    const apply = ({ side, record }: SidedRecord, other: unknown): void => {
      const value = joined(side, record.value ?? null, other, record.key as K)
      if (value !== NOTHING) emit({ ...record, key: record.key as K, value })
    }
    const queue = new KeyedQueue<SidedRecord>(context, name, (update) => update.record, (update) => {
      const store = tables[update.side === 'left' ? 'right' : 'left']
      const current = store.peek(update.record.key as K)
      if (current !== MISS) return apply(update, current)
      return store.get(update.record.key as K).then((value) => apply(update, value))
    })
    return (update) => {
      if (isMissing(update.record.key)) return
      queue.push(update.record.key, update)
    }
  })
  return operator as OperatorFunction<StreamRecord<K, VL | null>, StreamRecord<K, VO | null>>
}
