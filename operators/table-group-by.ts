import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Change } from '../core/serde/change.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate, SKIP } from './internal/keyed-update.js'
import { keyIdentity } from './internal/ordered-async.js'

/** What a table's `groupBy` maps an entry to: its new key and the value it adds under it. */
export type TableRegrouping<K, V, KO, VO> = (key: K, value: V) => readonly [KO, VO]

/**
 * Regroups a table's updates under new keys, as Kafka Streams' `KTable.groupBy`: each update
 * becomes a change that takes the entry's former mapping out of its group (`old`) and puts the
 * new one in (`new`): one record when the group stays the same, two (the subtraction first)
 * when the entry moves to another group. A deleted entry only subtracts. The table's former
 * values are kept in `prior` (keyed by the table's key), so the subtraction is exact across
 * restarts. Entries mapped to a null key are left out of every group. Used through
 * `table.groupBy(...)`, whose aggregation declares the stores and the repartition topic.
 *
 * @example
 * maxPrices.pipe(tableGroupBy(priorSpec, (auction, best) => [best.category, best.price]))
 */
export function tableGroupBy<K, V, KO, VO>(prior: KeyValueStoreSpec, select: TableRegrouping<K, V, KO, VO>): OperatorFunction<StreamRecord<K, V | null>, StreamRecord<KO, Change<VO>>> {
  const mapping = (key: K, value: V | undefined): readonly [KO, VO] | undefined => {
    if (value === undefined) return undefined
    const mapped = select(key, value)
    return mapped[0] === null || mapped[0] === undefined ? undefined : mapped
  }
  return keyedUpdate<K, V | null, V, StreamRecord<KO, Change<VO>>>(
    `groupBy(${prior.name})`,
    prior,
    (record, current) => {
      if (record.value === null || record.value === undefined) return current === undefined ? SKIP : undefined
      return record.value
    },
    {
      skipNullValues: false,
      forwardEach: (emit, record, previous, next) => {
        const before = mapping(record.key, previous)
        const after = mapping(record.key, next)
        const send = (key: KO, change: Change<VO>): void => emit({ ...record, key, value: change })
        if (before !== undefined && after !== undefined && keyIdentity(before[0]) === keyIdentity(after[0])) {
          send(after[0], { old: before[1], new: after[1] })
          return
        }
        if (before !== undefined) send(before[0], { old: before[1] })
        if (after !== undefined) send(after[0], { new: after[1] })
      },
    },
  )
}
