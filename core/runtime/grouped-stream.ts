import type { OperatorFunction } from 'rxjs'
import type { Serde } from '../serde/types.js'
import { float64 } from '../serde/numbers.js'
import { aggregate } from '../../operators/aggregate.js'
import { count } from '../../operators/count.js'
import { reduce } from '../../operators/reduce.js'
import { repartition } from '../../operators/repartition.js'
import { selectKey } from '../../operators/select-key.js'
import type { KeyValueStoreSpec } from '../../state/store-spec.js'
import type { StreamRecord } from './record.js'
import type { Stream } from './stream.js'
import { keyValueSpec, type StoreOptions } from './store-options.js'
import { Table, type TableDetails } from './table.js'
import type { TimeWindows } from '../time/windows.js'
import { WindowedGroupedStream } from './windowed-grouped-stream.js'
import { SessionWindowedGroupedStream } from './session-windowed-grouped-stream.js'
import type { SessionWindows } from '../../operators/sessions.js'
import type { SlidingWindows } from '../../operators/sliding.js'
import { SlidingWindowedGroupedStream } from './sliding-windowed-grouped-stream.js'
import type { AnyOperator } from './topology.js'

/** How a grouped stream was keyed: as it was, or by a new key (repartitioned first). */
export interface Grouping<K, V> {
  readonly key?: Serde<K> | undefined
  readonly value?: Serde<V> | undefined
  /** groupBy: the new key, and the name of the repartition topic (default: the store's). */
  readonly rekey?: { readonly select: (value: never, record: never) => K; readonly name: string | undefined }
}

/**
 * A stream grouped by key, ready to aggregate: `count`, `reduce`, `aggregate` each keep
 * their result per key in a named store and give a Table of it.
 *
 * @example
 * const totals = orders.groupBy((order) => order.customerId, { key: serdes.string() })
 *   .aggregate(() => 0, (customer, order, total) => total + order.amount, { name: 'totals', value: serdes.float64() })
 */
export class GroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly stream: Stream<unknown, V>,
    private readonly grouping: Grouping<K, V>,
  ) {}

  /**
   * Counts records per key.
   *
   * @example
   * words.groupByKey({ key: serdes.string() }).count(named('word-counts'))
   */
  count(store: Omit<StoreOptions<K, number>, 'value'>): Table<K, number> {
    const spec = keyValueSpec<K, number>({ ...store, value: float64() }, { key: this.grouping.key })
    return this.build(spec, count<K, V>(spec) as AnyOperator)
  }

  /**
   * Combines the values of each key (the first value is the start).
   *
   * @example
   * readings.groupByKey().reduce((a, b) => Math.max(a, b), { name: 'max-reading', value: serdes.float64() })
   */
  reduce(reducer: (aggregate: V, value: V) => V, store: StoreOptions<K, V>): Table<K, V> {
    const spec = keyValueSpec<K, V>(store, { key: this.grouping.key, value: this.grouping.value })
    return this.build(spec, reduce<K, V>(spec, reducer) as AnyOperator)
  }

  /**
   * Folds the values of each key into an aggregate, starting from `initializer()`.
   *
   * @example
   * orders.groupByKey().aggregate(() => ({ count: 0, total: 0 }), (id, order, agg) => ({ count: agg.count + 1, total: agg.total + order.amount }), { name: 'order-stats' })
   */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, store: StoreOptions<K, A>): Table<K, A> {
    const spec = keyValueSpec<K, A>(store, { key: this.grouping.key })
    return this.build(spec, aggregate<K, V, A>(spec, initializer, aggregator) as AnyOperator)
  }

  /**
   * Windows the grouped records by event time (tumbling, hopping, session or sliding windows), for
   * windowed `count`, `reduce`, `aggregate`.
   *
   * @example
   * bids.groupByKey({ key: serdes.string() }).windowedBy(tumbling('1m', { grace: '10s' })).count({ name: 'bids-per-minute' })
   * clicks.groupByKey({ key: serdes.string() }).windowedBy(sessions('30m')).count({ name: 'clicks-per-visit' })
   * payments.groupByKey({ key: serdes.string() }).windowedBy(sliding('10m')).count({ name: 'payments-per-10m' })
   */
  windowedBy(windows: TimeWindows): WindowedGroupedStream<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedGroupedStream<K, V>
  windowedBy(windows: SlidingWindows): SlidingWindowedGroupedStream<K, V>
  windowedBy(windows: TimeWindows | SessionWindows | SlidingWindows): WindowedGroupedStream<K, V> | SessionWindowedGroupedStream<K, V> | SlidingWindowedGroupedStream<K, V> {
    if (windows.kind === 'session') return new SessionWindowedGroupedStream<K, V>(this.stream, this.grouping, windows)
    if (windows.kind === 'sliding') return new SlidingWindowedGroupedStream<K, V>(this.stream, this.grouping, windows)
    return new WindowedGroupedStream<K, V>(this.stream, this.grouping, windows)
  }

  private build<A>(spec: KeyValueStoreSpec, operator: AnyOperator): Table<K, A> {
    return groupedTable<K, V, A, K>(this.stream, this.grouping, spec.name, spec.key as Serde<K>, operator, { valueSerde: spec.value as Serde<A> })
  }
}

/**
 * The table an aggregation of a grouped stream makes: regrouped first (selectKey and a
 * repartition topic named by the user or after the store) when grouped by a new key.
 */
export function groupedTable<K, V, A, KT>(stream: Stream<unknown, V>, grouping: Grouping<K, V>, storeName: string, keySerde: Serde<KT> | undefined, operator: AnyOperator, details: TableDetails<A> = {}): Table<KT, A> {
  const operators: AnyOperator[] = []
  const rekey = grouping.rekey
  if (rekey !== undefined) {
    operators.push(selectKey(rekey.select as (value: V, record: StreamRecord<unknown, V>) => K) as AnyOperator)
    // The repartition topic is named by the user, or after the store: stable either way.
    operators.push(repartition<K, V>({ name: rekey.name ?? storeName, ...(grouping.key ? { key: grouping.key } : {}), ...(grouping.value ? { value: grouping.value } : {}) }) as AnyOperator)
  }
  operators.push(operator)
  const pipe = stream.pipe as unknown as (...ops: OperatorFunction<never, unknown>[]) => Stream<KT, A>
  return pipe.apply(stream, operators).asTable(storeName, keySerde, details)
}
