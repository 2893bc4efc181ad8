import type { OperatorFunction } from 'rxjs'
import { originOf, type StreamRecord } from '../../core/runtime/record.js'
import type { TaskContext } from '../../core/runtime/task-context.js'
import type { CachedKeyValueStore, KeyChange } from '../../state/key-value-store.js'
import { MISS } from '../../state/logged-bytes-store.js'
import type { KeyValueStoreSpec } from '../../state/store-spec.js'
import { keyIdentity } from './ordered-async.js'
import { operate } from './operate.js'

/** What an update says: the key's new value, `undefined` to delete it, or SKIP to leave it (and forward nothing). */
export const SKIP: unique symbol = Symbol('tributary.skip')

export type KeyedUpdate<K, VI, VO> = (record: StreamRecord<K, VI>, current: VO | undefined) => VO | undefined | typeof SKIP

/** How a keyed update is forwarded: by default as table updates (see `keyedUpdate`). */
export interface KeyedUpdateOptions<K, VI, VO, R> {
  readonly skipNullValues: boolean
  /**
   * Whether the update of `record` needs the key's current value (default: always). One that
   * does not is applied at once, without reading the store (a table's upsert), unless earlier
   * records of its key still wait for a read.
   */
  readonly readsCurrent?: (record: StreamRecord<K, VI>) => boolean
  /**
   * Forwards each update at once, with the key's value before it (`undefined`: none), instead of
   * the new value when the cache flushes it. The store still caches (reads and repeated writes).
   */
  readonly forwardEach?: (emit: (record: R) => void, record: StreamRecord<K, VI>, previous: VO | undefined, next: VO | undefined) => void
}

/**
 * The engine under every keyed, stateful operator (aggregate, reduce, count, toTable): for
 * each record it reads the key's current value from the task's shard of `store`, computes the
 * new one with `update`, writes it, and forwards the change as a table update (a `null` value
 * is a tombstone). With the store's cache on, changes are forwarded when the cache flushes
 * them (at the commit, or on eviction), so repeated updates of a key between commits come
 * out once, as Kafka Streams does; with it off, every update is forwarded at once.
 *
 * A value not at hand (a cache miss on RocksDB) is read asynchronously, with the other misses
 * of the same burst of records in one round trip. Records of that key wait behind the read in
 * arrival order, other keys go on, and each waiting record is tracked, so its input offset is
 * not committed before its update is in the store.
 *
 * @example
 * keyedUpdate<string, number, number>('count', spec, (record, current) => (current ?? 0) + 1, { skipNullValues: true })
 */
export function keyedUpdate<K, VI, VO, R = StreamRecord<K, VO | null>>(name: string, store: KeyValueStoreSpec, update: KeyedUpdate<K, VI, VO>, options: KeyedUpdateOptions<K, VI, VO, R>): OperatorFunction<StreamRecord<K, VI>, R> {
  return operate<StreamRecord<K, VI>, R>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its state in a store, so it runs only inside a Tributary pipeline`)
      const shard = context.store<CachedKeyValueStore<K, VO>>(store.name)
      const forward = (change: KeyChange<K, VO>): void => {
        const { source } = change
        const update: StreamRecord<K, VO | null> = { key: change.key, value: change.value ?? null, timestamp: source.timestamp, headers: source.headers, topic: source.topic, partition: source.partition, offset: source.offset }
        emit(update as R)
      }
      const { forwardEach, readsCurrent } = options
      const forwardOnFlush = shard.caching && forwardEach === undefined
      if (forwardOnFlush) shard.onFlush = forward
      const apply = (record: StreamRecord<K, VI>, current: VO | undefined): void => {
        const next = update(record, current)
        if (next === SKIP) return
        shard.update(record.key, next, record)
        if (forwardEach !== undefined) forwardEach(emit, record, current, next)
        else if (!forwardOnFlush) forward({ key: record.key, value: next, source: record })
      }
      const waiting = new Map<unknown, Waiting<K, VI>[]>()
      /** Keys whose value must be read, since the last batched read was sent. */
      let misses: Miss<K, VI>[] = []
      const readMisses = (): void => {
        const batch = misses
        misses = []
        shard.loadMany(batch.map((miss) => miss.key)).then(
          (values) => {
            batch.forEach((miss, index) => void drain(context, miss, values[index], shard, apply, name, () => waiting.delete(miss.identity)))
          },
          (error: unknown) => {
            for (const miss of batch) {
              waiting.delete(miss.identity)
              for (const { record, done } of miss.queue) {
                context.processingError(error, record, name)
                done()
              }
            }
          },
        )
      }
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
        if (readsCurrent !== undefined && !readsCurrent(record)) {
          apply(record, undefined)
          return
        }
        const current = shard.peek(record.key)
        if (current !== MISS) {
          apply(record, current)
          return
        }
        // Not at hand: read with the other misses of this burst of records, in one round trip.
        const identity = keyIdentity(record.key)
        const entries = [{ record, done: context.track(originOf(record) ?? context.currentOrigin) }]
        waiting.set(identity, entries)
        misses.push({ identity, key: record.key, queue: entries })
        if (misses.length === 1) queueMicrotask(readMisses)
      }
    },
    { stores: [store] },
  )
}

interface Waiting<K, V> {
  readonly record: StreamRecord<K, V>
  readonly done: () => void
}

interface Miss<K, V> {
  readonly identity: unknown
  readonly key: K
  readonly queue: Waiting<K, V>[]
}

/**
 * Applies a key's waiting records in order: the first with the value read for it, the next
 * ones with what the first wrote (read again, should it have left the cache meanwhile).
 */
async function drain<K, VI, VO>(
  context: TaskContext,
  miss: Miss<K, VI>,
  first: VO | undefined,
  shard: CachedKeyValueStore<K, VO>,
  apply: (record: StreamRecord<K, VI>, current: VO | undefined) => void,
  name: string,
  finished: () => void,
): Promise<void> {
  const queue = miss.queue
  let isFirst = true
  while (queue.length > 0) {
    const { record, done } = queue[0]!
    try {
      let current: VO | undefined | typeof MISS = first
      if (!isFirst) {
        current = shard.peek(record.key)
        if (current === MISS) current = await shard.get(record.key)
      }
      isFirst = false
      apply(record, current)
    } catch (error) {
      context.processingError(error, record, name)
    }
    queue.shift()
    // Synchronously with the last record, so a record arriving next finds no queue to join.
    if (queue.length === 0) finished()
    done()
  }
}
