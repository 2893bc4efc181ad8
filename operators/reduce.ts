import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate } from './internal/keyed-update.js'

/**
 * Combines the values of each key with `reducer` (the first value of a key is its start),
 * keeping the result in a store and emitting it as a table update. Records with a null key or
 * value are skipped. Used through `stream.groupByKey().reduce(...)`, which declares the store.
 *
 * @example
 * readings.groupByKey().reduce((max, reading) => Math.max(max, reading), { name: 'max-reading', value: serdes.float64() })
 */
export function reduce<K, V>(store: KeyValueStoreSpec, reducer: (aggregate: V, value: V) => V): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V | null>> {
  return keyedUpdate<K, V, V>(`reduce(${store.name})`, store, (record, current) => {
    return current === undefined ? record.value : reducer(current, record.value)
  }, { skipNullValues: true })
}
