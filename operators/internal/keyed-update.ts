import type { OperatorFunction } from 'rxjs'
import { originOf, type StreamRecord } from '../../core/runtime/record.js'
import type { TaskContext } from '../../core/runtime/task-context.js'
import type { CachedKeyValueStore, KeyChange } from '../../state/key-value-store.js'
import type { KeyValueStoreSpec } from '../../state/store-spec.js'
import { keyIdentity } from './ordered-async.js'
import { operate } from './operate.js'

/** What an update says: the key's new value, `undefined` to delete it, or SKIP to leave it (and forward nothing). */
export const SKIP: unique symbol = Symbol('tributary.skip')

export type KeyedUpdate<K, VI, VO> = (record: StreamRecord<K, VI>, current: VO | undefined) => VO | undefined | typeof SKIP

/**
 * The engine under every keyed, stateful operator (aggregate, reduce, count, toTable): for
 * each record it reads the key's current value from the task's shard of `store`, computes the
 * new one with `update`, writes it, and forwards the change as a table update (a `null` value
 * is a tombstone). With the store's cache on, changes are forwarded when the cache flushes
 * them (at the commit, or on eviction), so repeated updates of a key between commits come
 * out once, as Kafka Streams does; with it off, every update is forwarded at once.
 *
 * A value not at hand (a cache miss on RocksDB) is read asynchronously. Records of that key
 * wait behind the read in arrival order, other keys go on, and each waiting record is tracked,
 * so its input offset is not committed before its update is in the store.
 *
 * @example
 * keyedUpdate<string, number, number>('count', spec, (record, current) => (current ?? 0) + 1, { skipNullValues: true })
 */
export function keyedUpdate<K, VI, VO>(name: string, store: KeyValueStoreSpec, update: KeyedUpdate<K, VI, VO>, options: { readonly skipNullValues: boolean }): OperatorFunction<StreamRecord<K, VI>, StreamRecord<K, VO | null>> {
  return operate<StreamRecord<K, VI>, StreamRecord<K, VO | null>>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its state in a store, so it runs only inside a Tributary pipeline`)
      const shard = context.store<CachedKeyValueStore<K, VO>>(store.name)
      const forward = (change: KeyChange<K, VO>): void => {
        const { source } = change
        emit({ key: change.key, value: change.value ?? null, timestamp: source.timestamp, headers: source.headers, topic: source.topic, partition: source.partition, offset: source.offset })
      }
      if (shard.caching) shard.onFlush = forward
      const apply = (record: StreamRecord<K, VI>, current: VO | undefined): void => {
        const next = update(record, current)
        if (next === SKIP) return
        shard.update(record.key, next, record)
        if (!shard.caching) forward({ key: record.key, value: next, source: record })
      }
      const waiting = new Map<unknown, Waiting<K, VI>[]>()
      return (record) => {
        // Records without a key (or, for aggregations, without a value) are skipped, as in Kafka Streams.
        if (record.key === null || record.key === undefined) return
        if (options.skipNullValues && (record.value === null || record.value === undefined)) return
        const queue = waiting.size === 0 ? undefined : waiting.get(keyIdentity(record.key))
        // Every waiting record holds back its input offset until it is applied.
        if (queue !== undefined) {
          queue.push({ record, done: context.track(originOf(record) ?? context.currentOrigin) })
          return
        }
        const current = shard.lookup(record.key)
        if (!(current instanceof Promise)) {
          apply(record, current)
          return
        }
        const identity = keyIdentity(record.key)
        const entries = [{ record, done: context.track(originOf(record) ?? context.currentOrigin) }]
        waiting.set(identity, entries)
        void drain(context, entries, shard, apply, name, current, () => waiting.delete(identity))
      }
    },
    { stores: [store] },
  )
}

interface Waiting<K, V> {
  readonly record: StreamRecord<K, V>
  readonly done: () => void
}

/** Applies a key's waiting records in order, reading its value whenever it is not at hand. */
async function drain<K, VI, VO>(
  context: TaskContext,
  queue: Waiting<K, VI>[],
  shard: CachedKeyValueStore<K, VO>,
  apply: (record: StreamRecord<K, VI>, current: VO | undefined) => void,
  name: string,
  first: Promise<VO | undefined>,
  finished: () => void,
): Promise<void> {
  let pending: Promise<VO | undefined> | undefined = first
  while (queue.length > 0) {
    const { record, done } = queue[0]!
    try {
      const value: VO | undefined | Promise<VO | undefined> = pending ?? shard.lookup(record.key)
      pending = undefined
      apply(record, value instanceof Promise ? await value : value)
    } catch (error) {
      context.processingError(error, record, name)
    }
    queue.shift()
    // Synchronously with the last record, so a record arriving next finds no queue to join.
    if (queue.length === 0) finished()
    done()
  }
}
