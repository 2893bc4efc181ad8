import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Change } from '../core/serde/change.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate } from './internal/keyed-update.js'

/**
 * Keeps an aggregate per group of a regrouped table, as Kafka Streams' `KGroupedTable.aggregate`:
 * each change takes its old value out with `subtractor`, then puts its new value in with `adder`
 * (a group starts from `initializer()`). The aggregate stays when its group empties (as Kafka
 * Streams keeps it). Used through `table.groupBy(...).aggregate(...)`, which declares the store.
 *
 * @example
 * byCategory.pipe(tableAggregate(spec, () => ({ sum: 0, count: 0 }), add, subtract))
 */
export function tableAggregate<K, V, A>(
  store: KeyValueStoreSpec,
  initializer: () => A,
  adder: (key: K, value: V, aggregate: A) => A,
  subtractor: (key: K, value: V, aggregate: A) => A,
): OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K, A | null>> {
  return keyedUpdate<K, Change<V>, A>(`aggregate(${store.name})`, store, (record, current) => {
    let aggregate = current === undefined ? initializer() : current
    if (record.value.old !== undefined) aggregate = subtractor(record.key, record.value.old, aggregate)
    if (record.value.new !== undefined) aggregate = adder(record.key, record.value.new, aggregate)
    return aggregate
  }, { skipNullValues: true })
}

