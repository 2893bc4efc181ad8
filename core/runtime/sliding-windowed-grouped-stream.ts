import type { Serde } from '../serde/types.js'
import { float64 } from '../serde/numbers.js'
import { json } from '../serde/json.js'
import { windowed } from '../serde/windowed.js'
import { toMillis } from '../time/duration.js'
import type { Windowed } from '../time/windows.js'
import { arrivals, slidingAggregate } from '../../operators/sliding-aggregate.js'
import type { SlidingWindows } from '../../operators/sliding.js'
import { checkStoreName, type WindowStoreSpec } from '../../state/store-spec.js'
import { groupedTable, type Grouping } from './grouped-stream.js'
import type { Stream } from './stream.js'
import type { Table } from './table.js'
import type { AnyOperator } from './topology.js'
import type { WindowedStoreOptions } from './windowed-grouped-stream.js'

/** What `count` keeps of a record's value: nothing (it only counts). */
const noValue: Serde<unknown> = { name: 'none', serialize: () => Buffer.alloc(0), deserialize: () => null }

/**
 * A grouped stream in sliding windows: `count`, `reduce` and `aggregate` keep one value per key
 * and window in a window store and give a table keyed by `Windowed<K>`, where `window.end` is
 * inclusive (`[start, start + timeDifference]`, as in Kafka Streams), updated as records come
 * (follow with `suppress` for one final result per window).
 *
 * Two stores, both changelogged: the aggregates under the given name, and the key's recent records
 * under `<name>-records` (values written with the grouping's value serde, JSON by default; `count`
 * keeps none), from which the windows a record changes are recomputed. Both keep
 * `retention` (at least timeDifference + grace + 2 ms, the default) of stream time.
 *
 * @example
 * const recent = payments.groupByKey({ key: serdes.string() }).windowedBy(sliding('10m', { grace: '1m' })).count({ name: 'payments-per-10m' })
 * recent.suppress(untilWindowCloses()).toStream().to('payments-per-10m', { key: serdes.windowed(serdes.string()), value: serdes.float64() })
 */
export class SlidingWindowedGroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly stream: Stream<unknown, V>,
    private readonly grouping: Grouping<K, V>,
    readonly windows: SlidingWindows,
  ) {}

  /** Counts records per key and window. */
  count(store: Omit<WindowedStoreOptions<K, number>, 'value'>): Table<Windowed<K>, number> {
    return this.build<number, unknown>(() => 0, (_key, _value, count) => count + 1, { ...store, value: float64() }, noValue)
  }

  /** Combines the values of each key and window (the first value is the start). */
  reduce(reducer: (aggregate: V, value: V) => V, store: WindowedStoreOptions<K, V>): Table<Windowed<K>, V> {
    // Every window holds a record, so `first` never outlives the fold (nor reaches the store).
    const first: unique symbol = Symbol('first')
    type Slot = V | typeof first
    const values = (store.value ?? this.grouping.value ?? json()) as Serde<V>
    const table = this.build<Slot, V>(() => first, (_key, value, aggregate) => (aggregate === first ? value : reducer(aggregate, value)), { ...store, value: values as Serde<Slot> }, values)
    return table as Table<Windowed<K>, V>
  }

  /** Folds the values of each key and window into an aggregate, from `initializer()`, in the order the records came. */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, store: WindowedStoreOptions<K, A>): Table<Windowed<K>, A> {
    return this.build<A, V>(initializer, aggregator, store, (this.grouping.value ?? json()) as Serde<V>)
  }

  private build<A, VS>(initializer: () => A, aggregator: (key: K, value: VS, aggregate: A) => A, store: WindowedStoreOptions<K, A>, recordValues: Serde<VS>): Table<Windowed<K>, A> {
    const recordsName = `${store.name}-records`
    checkStoreName(store.name)
    checkStoreName(recordsName)
    const { timeDifferenceMs, graceMs } = this.windows
    // An open window ends at most grace before stream time and starts timeDifference before
    // that; recomputing it needs the record 1 ms before its start, and a right window starts 1 ms
    // after stream time: 2 ms more than timeDifference + grace keeps all of them.
    const retentionMs = Math.max(timeDifferenceMs + graceMs + 2, store.retention === undefined ? 0 : toMillis(store.retention, 'retention'))
    const key = (store.key ?? this.grouping.key ?? json()) as Serde<unknown>
    const aggregates: WindowStoreSpec = { kind: 'window', name: store.name, key, value: (store.value ?? json()) as Serde<unknown>, windowSizeMs: timeDifferenceMs, retentionMs, streamTimeFromCaller: true, cache: false }
    // Records by timestamp: a "window" of 1 ms each.
    const records: WindowStoreSpec = { kind: 'window', name: recordsName, key, value: arrivals(recordValues) as Serde<unknown>, windowSizeMs: 1, retentionMs, streamTimeFromCaller: true, cache: false }
    const operator = slidingAggregate<K, VS, A>({ windows: this.windows, store: aggregates, records, initializer, aggregator, lateRecords: store.lateRecords })
    // The end is inclusive: a window takes records until stream time passes end + grace, so
    // suppress releases it 1 ms later than a tumbling window's (Kafka Streams' SlidingWindows:
    // "a window is closed when stream-time > window-end + grace-period").
    return groupedTable<K, V, A, Windowed<K>>(this.stream, this.grouping, store.name, windowed(key as Serde<K>), operator as AnyOperator, { valueSerde: aggregates.value as Serde<A>, closesAfterEndMs: graceMs + 1 })
  }
}
