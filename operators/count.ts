import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate } from './internal/keyed-update.js'

/**
 * Counts the records of each key in a store, emitting the key's new count as a table update.
 * Records with a null key or value are not counted, as in Kafka Streams. Used through
 * `stream.groupByKey().count(named('counts'))`, which declares the store.
 *
 * @example
 * words.groupByKey({ key: serdes.string() }).count(named('word-counts'))
 */
export function count<K, V>(store: KeyValueStoreSpec): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, number | null>> {
  return keyedUpdate<K, V, number>(`count(${store.name})`, store, (_record, current) => (current ?? 0) + 1, { skipNullValues: true })
}
