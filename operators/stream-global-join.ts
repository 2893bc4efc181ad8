import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { CachedKeyValueStore } from '../state/key-value-store.js'
import { MISS } from '../state/logged-bytes-store.js'
import { isMissing } from './internal/join-inputs.js'
import { KeyedQueue } from './internal/keyed-queue.js'
import { operate } from './internal/operate.js'

/**
 * Kafka Streams' KStream-GlobalKTable join: each stream record looks up the global table's value
 * of the key `keyOf(key, value)` picks and, when there is one, emits `joiner(value, tableValue)`
 * with the stream record's key and timestamp; a left join emits `joiner(value, null)` when there
 * is none (or the extracted key is null). Stream records with a null value are skipped (a null
 * stream key is fine: the lookup key comes from `keyOf`). Records of a stream key stay in order.
 * Used through `stream.join(globalTable, keyOf, joiner)` and `stream.leftJoin(...)`.
 *
 * @example
 * orders.pipe(streamGlobalJoin('inner', 'products', (id, order) => order.productId, (order, product) => ({ ...order, product })))
 */
export function streamGlobalJoin<K, V, KG, VG, VO>(
  kind: 'inner' | 'left',
  store: string,
  keyOf: (key: K, value: V) => KG | null | undefined,
  joiner: (value: V, tableValue: VG | null, key: K) => VO,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, VO>> {
  const name = `${kind === 'inner' ? 'join' : 'leftJoin'}(global table ${store})`
  return operate<StreamRecord<K, V>, StreamRecord<K, VO>>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} reads the global table's store, so it runs only inside a Tributary pipeline`)
      const table = context.store<CachedKeyValueStore<KG, VG>>(store)
      const apply = (record: StreamRecord<K, V>, tableValue: VG | undefined): void => {
        if (tableValue === undefined && kind === 'inner') return
        emit({ ...record, value: joiner(record.value, tableValue ?? null, record.key) })
      }
      const queue = new KeyedQueue<StreamRecord<K, V>>(context, name, (record) => record, (record) => {
        const lookup = keyOf(record.key, record.value)
        if (isMissing(lookup)) return apply(record, undefined)
        const current = table.peek(lookup)
        if (current !== MISS) return apply(record, current)
        return table.get(lookup).then((tableValue) => apply(record, tableValue))
      })
      return (record) => {
        if (isMissing(record.value)) return
        queue.push(record.key, record)
      }
    },
    { globalStores: [store] },
  )
}
