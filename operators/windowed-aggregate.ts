import type { OperatorFunction } from 'rxjs'
import { LateRecordError } from '../core/runtime/errors.js'
import type { StreamRecord } from '../core/runtime/record.js'
import { windowStartsFor, type TimeWindows } from '../core/time/windows.js'
import { MISS } from '../state/logged-bytes-store.js'
import type { WindowStoreSpec } from '../state/store-spec.js'
import type { TimeWindow, Windowed } from '../state/types.js'
import type { LoggedWindowStore } from '../state/window-store.js'
import { KeyedQueue } from './internal/keyed-queue.js'
import { operate } from './internal/operate.js'
import type { TimedRecord, WindowedFolding } from './internal/windowed-folding.js'

/** What a windowed aggregation needs: its windows, its store, how to fold, where late records go. */
export interface WindowedAggregation<K, V, A> extends WindowedFolding<K, V, A> {
  readonly windows: TimeWindows
  readonly store: WindowStoreSpec
}

/**
 * Folds each record into every window it falls in (one for tumbling windows, size / advance for
 * hopping ones), per key, in a window store, and emits each window's new aggregate with a
 * `Windowed<K>` key (with the store's cache on, a window's last update since the commit, when the
 * cache lets it go). A window takes records until the task's stream time passes its end plus the
 * grace period; a record too late for all its windows is counted in `metrics().lateRecords` and
 * dropped, or copied to the `lateRecords` topic. Used through
 * `stream.groupByKey().windowedBy(windows).aggregate(...)`, which declares the store.
 *
 * @example
 * bids.groupByKey().windowedBy(tumbling('1m')).aggregate(() => 0, (item, bid, max) => Math.max(max, bid.price), { name: 'max-bid' })
 */
export function windowedAggregate<K, V, A>(spec: WindowedAggregation<K, V, A>): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, A>> {
  const { windows, store: storeSpec, initializer, aggregator } = spec
  const name = `${windows.name} aggregate(${storeSpec.name})`
  return operate<StreamRecord<K, V>, StreamRecord<Windowed<K>, A>>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its state in a store, so it runs only inside a Tributary pipeline`)
      const store = context.store<LoggedWindowStore<K, A>>(storeSpec.name)
      const window = (start: number): TimeWindow => ({ start, end: start + windows.sizeMs })
      // With the store's cache on, a window's update goes downstream when the cache lets it go (the commit, or eviction).
      if (store.caching) {
        store.onFlush = ({ key, start, value, source }) => {
          if (value === undefined) return
          emit({ key: { key, window: window(start) }, value, timestamp: source.timestamp, headers: source.headers, topic: source.topic, partition: source.partition, offset: source.offset })
        }
      }
      const apply = (record: StreamRecord<K, V>, starts: readonly number[], current: readonly (A | undefined)[]): void => {
        starts.forEach((start, index) => {
          const aggregate = aggregator(record.key, record.value, current[index] ?? initializer())
          store.put(record.key, start, aggregate, record)
          if (!store.caching) emit({ ...record, key: { key: record.key, window: window(start) }, value: aggregate })
        })
      }
      const handle = ({ record, streamTime }: TimedRecord<K, V>): void | Promise<void> => {
        // Windows expire by the stream time every record has been handled to, never past one in flight.
        store.advanceStreamTime(context.settledStreamTime)
        const closesBefore = streamTime - windows.sizeMs - windows.graceMs
        const starts = windowStartsFor(windows, record.timestamp).filter((start) => start > closesBefore)
        if (starts.length === 0) {
          context.lateRecord(record, new LateRecordError(name, record.timestamp, streamTime), spec.lateRecords)
          return
        }
        const current: (A | undefined | typeof MISS)[] = starts.map((start) => store.peek(record.key, start))
        if (!current.includes(MISS)) {
          apply(record, starts, current as (A | undefined)[])
          return
        }
        return (async () => {
          // Every missing window at once: the backend reads them in one batch, not one after another.
          const missing = starts.flatMap((_start, index) => (current[index] === MISS ? [index] : []))
          const fetched = await Promise.all(missing.map((index) => store.fetch(record.key, starts[index]!)))
          missing.forEach((index, position) => (current[index] = fetched[position]))
          apply(record, starts, current as (A | undefined)[])
        })()
      }
      const queue = new KeyedQueue<TimedRecord<K, V>>(context, name, (item) => item.record, handle)
      return (record) => {
        // Records without a key or value are skipped, as in Kafka Streams.
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return
        queue.push(record.key, { record, streamTime: context.streamTimeOf(record) })
      }
    },
    { stores: [storeSpec] },
  )
}
