import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'

/**
 * Calls a function with each record and passes the record on unchanged (logging, metrics).
 *
 * @example
 * orders.pipe(peek((r) => log.debug({ key: r.key, offset: r.offset }, 'order')))
 */
export function peek<K, V>(action: (record: StreamRecord<K, V>) => void): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  return operate('peek', (emit) => (record) => {
    action(record)
    emit(record)
  })
}
