import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { TopologyNode } from '../core/runtime/topology.js'
import type { CachedKeyValueStore } from '../state/key-value-store.js'
import { MISS } from '../state/logged-bytes-store.js'
import { joinInputs, isMissing } from './internal/join-inputs.js'
import { KeyedQueue } from './internal/keyed-queue.js'

/** The table side of a stream-table join: its node (kept running) and the store it is materialized in. */
export interface JoinedTable {
  readonly node: TopologyNode
  readonly store: string
}

/**
 * Kafka Streams' KStream-KTable join: each stream record looks its key up in the table's store
 * and, when the table has a value, emits `joiner(value, tableValue)` with the stream record's key
 * and timestamp. A left join emits `joiner(value, null)` when the table has none. Updates of the
 * table change what later records find but emit nothing. Stream records with a null key or
 * value are skipped. A lookup that must read the disk is asynchronous; records of its key wait
 * behind it, in order. Used through `stream.join(table, joiner)` and `stream.leftJoin(table, joiner)`.
 *
 * @example
 * clicks.leftJoin(profiles, (click, profile) => ({ ...click, region: profile?.region ?? 'unknown' }))
 */
export function streamTableJoin<K, V, VT, VO>(kind: 'inner' | 'left', table: JoinedTable, joiner: (value: V, tableValue: VT | null, key: K) => VO): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, VO>> {
  const name = `${kind === 'inner' ? 'join' : 'leftJoin'}(table ${table.store})`
  const operator = joinInputs<StreamRecord<K, VO>>(name, table.node, (emit, context) => {
    if (context === undefined) throw new Error(`${name} reads the table's store, so it runs only inside a Tributary pipeline`)
    const store = context.store<CachedKeyValueStore<K, VT>>(table.store)
    const apply = (record: StreamRecord<K, V>, tableValue: VT | undefined): void => {
      if (tableValue === undefined && kind === 'inner') return
      emit({ ...record, value: joiner(record.value, tableValue ?? null, record.key) })
    }
    const queue = new KeyedQueue<StreamRecord<K, V>>(context, name, (record) => record, (record) => {
      const current = store.peek(record.key)
      if (current !== MISS) return apply(record, current)
      return store.get(record.key).then((tableValue) => apply(record, tableValue))
    })
    return ({ side, record }) => {
      // The table's updates only keep it current (its own operator writes them to the store).
      if (side === 'right') return
      // Records without a key or value are skipped, as in Kafka Streams.
      if (isMissing(record.key) || isMissing(record.value)) return
      queue.push(record.key, record as StreamRecord<K, V>)
    }
  })
  return operator as OperatorFunction<StreamRecord<K, V>, StreamRecord<K, VO>>
}
