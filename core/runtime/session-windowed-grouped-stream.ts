import type { Serde } from '../serde/types.js'
import { float64 } from '../serde/numbers.js'
import { json } from '../serde/json.js'
import { windowed } from '../serde/windowed.js'
import { toMillis } from '../time/duration.js'
import type { Windowed } from '../time/windows.js'
import { sessionAggregate } from '../../operators/session-aggregate.js'
import type { SessionWindows } from '../../operators/sessions.js'
import { checkStoreName, type SessionStoreSpec } from '../../state/store-spec.js'
import { groupedTable, type Grouping } from './grouped-stream.js'
import type { Stream } from './stream.js'
import type { Table } from './table.js'
import type { AnyOperator } from './topology.js'
import type { WindowedStoreOptions } from './windowed-grouped-stream.js'

/**
 * A grouped stream cut into sessions: `count`, `reduce` and `aggregate` keep one value per key
 * and session in a session store and give a table keyed by `Windowed<K>` (the session's first
 * and last record times). When a record merges sessions, the replaced ones are deleted from the
 * table (tombstones go downstream).
 *
 * @example
 * const visits = clicks.groupByKey({ key: serdes.string() }).windowedBy(sessions('30m')).count({ name: 'clicks-per-visit' })
 */
export class SessionWindowedGroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly stream: Stream<unknown, V>,
    private readonly grouping: Grouping<K, V>,
    readonly windows: SessionWindows,
  ) {}

  /** Counts records per key and session. */
  count(store: Omit<WindowedStoreOptions<K, number>, 'value'>): Table<Windowed<K>, number> {
    return this.aggregate(() => 0, (_key, _value, count) => count + 1, (_key, a, b) => a + b, { ...store, value: float64() })
  }

  /** Combines the values of each key and session (merged sessions are combined with the same function). */
  reduce(reducer: (aggregate: V, value: V) => V, store: WindowedStoreOptions<K, V>): Table<Windowed<K>, V> {
    const none: unique symbol = Symbol('none')
    type Slot = V | typeof none
    const combine = (a: Slot, b: Slot): Slot => (a === none ? b : b === none ? a : reducer(a, b))
    const table = this.aggregate<Slot>(() => none, (_key, value, aggregate) => combine(aggregate, value), (_key, a, b) => combine(a, b), {
      ...store,
      value: (store.value ?? this.grouping.value ?? json()) as Serde<Slot>,
    })
    return table as Table<Windowed<K>, V>
  }

  /** Folds the values of each key and session from `initializer()`; `merger` combines two sessions a record bridges. */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, merger: (key: K, left: A, right: A) => A, store: WindowedStoreOptions<K, A>): Table<Windowed<K>, A> {
    checkStoreName(store.name)
    const { gapMs, graceMs } = this.windows
    const retentionMs = Math.max(gapMs + graceMs, store.retention === undefined ? 0 : toMillis(store.retention, 'retention'))
    const key = (store.key ?? this.grouping.key ?? json()) as Serde<unknown>
    const spec: SessionStoreSpec = { kind: 'session', name: store.name, key, value: (store.value ?? json()) as Serde<unknown>, retentionMs, streamTimeFromCaller: true }
    const operator = sessionAggregate<K, V, A>({ windows: this.windows, store: spec, initializer, aggregator, merger, lateRecords: store.lateRecords })
    // A session may still grow while its end is within gap + grace of stream time.
    return groupedTable<K, V, A, Windowed<K>>(this.stream, this.grouping, store.name, windowed(key as Serde<K>), operator as AnyOperator, { valueSerde: spec.value as Serde<A>, closesAfterEndMs: gapMs + graceMs + 1 })
  }
}
