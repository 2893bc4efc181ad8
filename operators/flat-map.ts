import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Turns each record into zero or more records with the same key, one per value the
 * function returns (Kafka Streams' `flatMapValues`).
 *
 * @example
 * lines.pipe(flatMap((line) => line.split(/\W+/)))
 * @see selectKey to key the results, map for one-to-one changes
 */
export function flatMap<K, VI, VO>(project: (value: VI, record: StreamRecord<K, VI>) => Iterable<VO>): OperatorFunction<StreamRecord<K, VI>, StreamRecord<K, VO>> {
  return operate('flatMap', (emit) => (record) => {
    for (const value of project(record.value, record)) emit({ ...record, value } as StreamRecord<K, VO>)
  })
}
