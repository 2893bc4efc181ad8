import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Maps each record's value, keeping its key (so no repartition is ever needed).
 *
 * @example
 * prices.pipe(mapValues((cents) => cents / 100))
 * @see map to change the key too, mapAsync for async work
 */
export function mapValues<K, VI, VO>(project: (value: VI, record: StreamRecord<K, VI>) => VO): OperatorFunction<StreamRecord<K, VI>, StreamRecord<K, VO>> {
  return operate('mapValues', (emit) => (record) => {
    emit({ ...record, value: project(record.value, record) } as StreamRecord<K, VO>)
  })
}
