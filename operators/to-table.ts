import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { KeyValueStoreSpec } from '../state/store-spec.js'
import { keyedUpdate, SKIP } from './internal/keyed-update.js'

/**
 * Materializes a stream of updates as a table in a store: each record's value becomes its
 * key's value, a null value (a tombstone) deletes the key, and the change is emitted as a
 * table update. Records with a null key are skipped. Used through `stream.toTable(...)`,
 * `app.table(topic)` and named table operations.
 *
 * @example
 * profiles.toTable({ name: 'profiles', key: serdes.string(), value: serdes.json<Profile>() })
 */
export function toTable<K, V>(store: KeyValueStoreSpec): OperatorFunction<StreamRecord<K, V | null>, StreamRecord<K, V | null>> {
  return keyedUpdate<K, V | null, V>(`toTable(${store.name})`, store, (record, current) => {
    // Deleting a key that is not there changes nothing: no tombstone goes out.
    if (record.value === null || record.value === undefined) return current === undefined ? SKIP : undefined
    return record.value
  }, {
    skipNullValues: false,
    // An upsert does not depend on the value it replaces: it is written at once, so a lookup of
    // the table (a join) right after it finds it. Only a delete reads (to skip deleting nothing).
    readsCurrent: (record) => record.value === null || record.value === undefined,
  })
}
