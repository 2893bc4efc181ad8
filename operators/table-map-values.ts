import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Maps a table's values, as a KTable `mapValues` does: tombstones pass through unmapped.
 * Used through `table.mapValues(...)`.
 *
 * @example
 * profiles.mapValues((profile) => profile.email)
 */
export function tableMapValues<K, V, VO>(project: (value: V, key: K) => VO): OperatorFunction<StreamRecord<K, V | null>, StreamRecord<K, VO | null>> {
  return operate<StreamRecord<K, V | null>, StreamRecord<K, VO | null>>('table mapValues', (emit) => (record) => {
    emit(record.value === null ? (record as StreamRecord<K, null>) : { ...record, value: project(record.value, record.key) })
  })
}
