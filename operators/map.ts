import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/** What `map` returns for a record: a new key and value (timestamp and headers optional). */
export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp?: number
  readonly headers?: StreamRecord<K, V>['headers']
}

/**
 * Maps each record to a new key and value (Kafka Streams' `map`). Changing the key of a
 * stream that is later grouped or joined means a repartition; see `repartition`.
 *
 * @example
 * orders.pipe(map((r) => ({ key: r.value.customerId, value: r.value.total })))
 * @see mapValues to change only the value, selectKey to change only the key
 */
export function map<KI, VI, KO, VO>(project: (record: StreamRecord<KI, VI>) => KeyValue<KO, VO>): OperatorFunction<StreamRecord<KI, VI>, StreamRecord<KO, VO>> {
  return operate('map', (emit) => (record) => {
    const { key, value, timestamp, headers } = project(record)
    emit({ ...record, key, value, timestamp: timestamp ?? record.timestamp, headers: headers ?? record.headers } as StreamRecord<KO, VO>)
  })
}
