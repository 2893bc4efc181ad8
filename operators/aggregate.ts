import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate } from './internal/keyed-update.js'

/**
 * Folds the records of each key into an aggregate kept in a store, emitting the key's new
 * aggregate as a table update. Records with a null key or value are skipped, as in Kafka
 * Streams. Used through `stream.groupByKey().aggregate(...)`, which declares the store.
 *
 * @example
 * orders.groupByKey().aggregate(() => 0, (customer, order, total) => total + order.amount, { name: 'totals', value: serdes.float64() })
 */
export function aggregate<K, V, A>(store: KeyValueStoreSpec, initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, A | null>> {
  return keyedUpdate<K, V, A>(`aggregate(${store.name})`, store, (record, current) => {
    return aggregator(record.key, record.value, current === undefined ? initializer() : current)
  }, { skipNullValues: true })
}
