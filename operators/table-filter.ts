import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Filters a table's updates as a KTable filter does: a value that fails the predicate becomes
 * a tombstone (the key leaves the filtered table), and tombstones pass through. Used through
 * `table.filter(...)`.
 *
 * @example
 * counts.filter((count) => count >= 10)
 */
export function tableFilter<K, V>(predicate: (value: V, key: K) => boolean): OperatorFunction<StreamRecord<K, V | null>, StreamRecord<K, V | null>> {
  return operate<StreamRecord<K, V | null>, StreamRecord<K, V | null>>('table filter', (emit) => (record) => {
    if (record.value === null || predicate(record.value, record.key)) emit(record)
    else emit({ ...record, value: null })
  })
}
