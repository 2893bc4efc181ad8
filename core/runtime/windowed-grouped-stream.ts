import type { Serde } from '../serde/types.js'
import { float64 } from '../serde/numbers.js'
import { json } from '../serde/json.js'
import { windowed } from '../serde/windowed.js'
import { toMillis, type Duration } from '../time/duration.js'
import type { TimeWindows, Windowed } from '../time/windows.js'
import { windowedAggregate } from '../../operators/windowed-aggregate.js'
import { checkStoreName, type WindowStoreSpec } from '../../state/store-spec.js'
import { groupedTable, type Grouping } from './grouped-stream.js'
import type { Stream } from './stream.js'
import type { Table } from './table.js'
import type { AnyOperator } from './topology.js'

/** A windowed aggregation's store and what becomes of late records. */
export interface WindowedStoreOptions<K, V> {
  readonly name: string
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  /** How long windows are kept after they start; at least size + grace (the default). */
  readonly retention?: Duration
  /** A topic that gets a copy of each record too late for all its windows; by default they are dropped and counted. */
  readonly lateRecords?: string
  /**
   * Tumbling and hopping windows: absorb repeated updates of a window between commits, so only
   * its last update goes downstream and to the changelog (Kafka Streams' caching). Default true;
   * `cacheMaxBytes: 0` turns every cache off. Session and sliding windows forward every update.
   */
  readonly cache?: boolean
}

/**
 * A grouped stream cut into time windows: `count`, `reduce` and `aggregate` keep one value per
 * key and window in a window store and give a table keyed by `Windowed<K>`, updated as records
 * come (follow with `suppress` for one final result per window).
 *
 * @example
 * const perMinute = clicks.groupByKey({ key: serdes.string() }).windowedBy(tumbling('1m')).count({ name: 'clicks-per-minute' })
 * perMinute.toStream().to('clicks-per-minute', { key: serdes.windowed(serdes.string()), value: serdes.float64() })
 */
export class WindowedGroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly stream: Stream<unknown, V>,
    private readonly grouping: Grouping<K, V>,
    readonly windows: TimeWindows,
  ) {}

  /** Counts records per key and window. */
  count(store: Omit<WindowedStoreOptions<K, number>, 'value'>): Table<Windowed<K>, number> {
    return this.aggregate(() => 0, (_key, _value, count) => count + 1, { ...store, value: float64() })
  }

  /** Combines the values of each key and window (the first value is the start). */
  reduce(reducer: (aggregate: V, value: V) => V, store: WindowedStoreOptions<K, V>): Table<Windowed<K>, V> {
    const first: unique symbol = Symbol('first')
    type Slot = V | typeof first
    const table = this.aggregate<Slot>(() => first, (_key, value, aggregate) => (aggregate === first ? value : reducer(aggregate, value)), {
      ...store,
      value: (store.value ?? this.grouping.value ?? json()) as Serde<Slot>,
    })
    return table as Table<Windowed<K>, V>
  }

  /** Folds the values of each key and window into an aggregate, from `initializer()`. */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, store: WindowedStoreOptions<K, A>): Table<Windowed<K>, A> {
    checkStoreName(store.name)
    const { sizeMs, graceMs } = this.windows
    const retentionMs = Math.max(sizeMs + graceMs, store.retention === undefined ? 0 : toMillis(store.retention, 'retention'))
    const key = (store.key ?? this.grouping.key ?? json()) as Serde<unknown>
    const spec: WindowStoreSpec = { kind: 'window', name: store.name, key, value: (store.value ?? json()) as Serde<unknown>, windowSizeMs: sizeMs, retentionMs, streamTimeFromCaller: true, cache: store.cache ?? true }
    const operator = windowedAggregate<K, V, A>({ windows: this.windows, store: spec, initializer, aggregator, lateRecords: store.lateRecords })
    return groupedTable<K, V, A, Windowed<K>>(this.stream, this.grouping, store.name, windowed(key as Serde<K>), operator as AnyOperator, { valueSerde: spec.value as Serde<A>, closesAfterEndMs: this.windows.graceMs })
  }
}
