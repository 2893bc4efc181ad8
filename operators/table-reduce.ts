import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Change } from '../core/serde/change.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate } from './internal/keyed-update.js'

/**
 * Keeps a reduced value per group of a regrouped table, as Kafka Streams' `KGroupedTable.reduce`:
 * a change's old value comes out with `subtractor`, its new value goes in with `adder` (the first
 * value of a group is its start). Used through `table.groupBy(...).reduce(...)`.
 *
 * @example
 * byRegion.pipe(tableReduce(spec, (a, b) => a + b, (a, b) => a - b))
 */
export function tableReduce<K, V>(store: KeyValueStoreSpec, adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V): OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K, V | null>> {
  return keyedUpdate<K, Change<V>, V>(`reduce(${store.name})`, store, (record, current) => {
    let value = current
    if (record.value.old !== undefined && value !== undefined) value = subtractor(value, record.value.old)
    if (record.value.new !== undefined) value = value === undefined ? record.value.new : adder(value, record.value.new)
    return value
  }, { skipNullValues: true })
}
