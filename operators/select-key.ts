import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Gives each record a new key computed from it. Grouping or joining by the new key needs the
 * records moved to the partition of that key first: follow with `repartition()`.
 *
 * @example
 * words.pipe(selectKey((word) => word.toLowerCase()))
 * @see map, repartition
 */
export function selectKey<KI, V, KO>(select: (value: V, record: StreamRecord<KI, V>) => KO): OperatorFunction<StreamRecord<KI, V>, StreamRecord<KO, V>> {
  return operate('selectKey', (emit) => (record) => {
    emit({ ...record, key: select(record.value, record) } as StreamRecord<KO, V>)
  })
}
