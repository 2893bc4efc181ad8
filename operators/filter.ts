import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Keeps the records whose value passes the predicate. A type-guard predicate narrows the
 * value type of the stream.
 *
 * @example
 * words.pipe(filter((word) => word.length > 0))
 * events.pipe(filter((event): event is Click => event.kind === 'click'))
 * @see branch to route records by several predicates
 */
export function filter<K, V, S extends V>(predicate: (value: V, record: StreamRecord<K, V>) => value is S): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, S>>
export function filter<K, V>(predicate: (value: V, record: StreamRecord<K, V>) => boolean): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>>
export function filter<K, V>(predicate: (value: V, record: StreamRecord<K, V>) => boolean): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  return operate('filter', (emit) => (record) => {
    if (predicate(record.value, record)) emit(record)
  })
}
