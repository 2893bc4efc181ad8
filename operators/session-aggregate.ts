import type { OperatorFunction } from 'rxjs'
import { LateRecordError } from '../core/runtime/errors.js'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Windowed } from '../core/time/windows.js'
import type { LoggedSessionStore } from '../state/session-store.js'
import type { SessionStoreSpec } from '../state/store-spec.js'
import type { KeyValue } from '../state/types.js'
import { KeyedQueue } from './internal/keyed-queue.js'
import { operate } from './internal/operate.js'
import type { SessionWindows } from './sessions.js'
import type { TimedRecord, WindowedFolding } from './internal/windowed-folding.js'

/** What a session aggregation needs: its windows, store, how to fold and merge, where late records go. */
export interface SessionAggregation<K, V, A> extends WindowedFolding<K, V, A> {
  readonly windows: SessionWindows
  readonly store: SessionStoreSpec
  /** Combines the aggregates of two sessions a record bridges. */
  readonly merger: (key: K, left: A, right: A) => A
}

/**
 * Folds each record into its key's session: the sessions within the gap of the record's time
 * are merged with it into one (their aggregates combined with `merger`), the merged ones are
 * removed, and the new session's aggregate is emitted, after a tombstone for each session it
 * replaced, as Kafka Streams does. A record whose session would already be closed (its end plus
 * gap plus grace behind stream time) is late: counted and dropped, or copied to `lateRecords`.
 *
 * @example
 * clicks.groupByKey().windowedBy(sessions('30m')).count({ name: 'clicks-per-visit' })
 */
export function sessionAggregate<K, V, A>(spec: SessionAggregation<K, V, A>): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, A | null>> {
  const { windows, store: storeSpec, initializer, aggregator, merger } = spec
  const name = `${windows.name} aggregate(${storeSpec.name})`
  return operate<StreamRecord<K, V>, StreamRecord<Windowed<K>, A | null>>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its state in a store, so it runs only inside a Tributary pipeline`)
      const store = context.store<LoggedSessionStore<K, A>>(storeSpec.name)
      const handle = async ({ record, streamTime }: TimedRecord<K, V>): Promise<void> => {
        const { key, timestamp } = record
        // Sessions expire by the stream time every record has been handled to, never past one in flight.
        store.advanceStreamTime(context.settledStreamTime)
        const merged: KeyValue<Windowed<K>, A>[] = []
        for await (const session of store.findSessions(key, timestamp - windows.gapMs, timestamp + windows.gapMs)) merged.push(session)
        let start = timestamp
        let end = timestamp
        let aggregate = initializer()
        for (const session of merged) {
          start = Math.min(start, session.key.window.start)
          end = Math.max(end, session.key.window.end)
          aggregate = merger(key, aggregate, session.value)
        }
        // As Kafka Streams: late once its end is more than gap + grace behind stream time.
        if (end + windows.gapMs + windows.graceMs < streamTime) {
          context.lateRecord(record, new LateRecordError(name, timestamp, streamTime), spec.lateRecords)
          return
        }
        aggregate = aggregator(key, record.value, aggregate)
        for (const session of merged) {
          if (session.key.window.start === start && session.key.window.end === end) continue
          store.remove(session.key)
          emit({ ...record, key: session.key, value: null })
        }
        const session: Windowed<K> = { key, window: { start, end } }
        store.put(session, aggregate)
        emit({ ...record, key: session, value: aggregate })
      }
      const queue = new KeyedQueue<TimedRecord<K, V>>(context, name, (item) => item.record, handle)
      return (record) => {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return
        queue.push(record.key, { record, streamTime: context.streamTimeOf(record) })
      }
    },
    { stores: [storeSpec] },
  )
}
