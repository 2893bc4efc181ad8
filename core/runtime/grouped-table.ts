import type { Serde } from '../serde/types.js'
import { change } from '../serde/change.js'
import { json } from '../serde/json.js'
import { float64 } from '../serde/numbers.js'
import { repartition } from '../../operators/repartition.js'
import { tableAggregate } from '../../operators/table-aggregate.js'
import { tableGroupBy, type TableRegrouping } from '../../operators/table-group-by.js'
import { tableReduce } from '../../operators/table-reduce.js'
import type { KeyValueStoreSpec } from '../../state/store-spec.js'
import { keyValueSpec, type StoreOptions } from './store-options.js'
import type { StreamBuilder } from './stream-builder.js'
import { Table } from './table.js'
import type { AnyOperator, TopologyNode } from './topology.js'

/** How a table is regrouped: the mapping, the serdes of the new keys and values, the repartition topic's name. */
export interface TableGrouping<K, V, KO, VO> {
  readonly select: TableRegrouping<K, V, KO, VO>
  readonly key?: Serde<KO> | undefined
  readonly value?: Serde<VO> | undefined
  /** Names the repartition topic and the store of the table's former values; default: the aggregation's store name. */
  readonly name?: string | undefined
}

/** Where the regrouped table comes from: its node and the serdes of its own keys and values. */
export interface GroupedTableSource<K, V> {
  readonly node: TopologyNode
  readonly builder: StreamBuilder
  readonly key: Serde<K> | undefined
  readonly value: Serde<V> | undefined
}

/**
 * A table regrouped by a new key, ready to aggregate, as Kafka Streams' KGroupedTable: since a
 * table's entries change, every aggregation takes a subtractor as well as an adder. An update
 * of an entry subtracts its former value from its group and adds the new one (to another group
 * if its key moved); deleting the entry only subtracts.
 *
 * @example
 * const perCategory = maxPrices.groupBy((auction, best) => [best.category, best.price], { key: serdes.float64(), value: serdes.float64() })
 *   .aggregate(() => ({ sum: 0, count: 0 }), (category, price, avg) => ({ sum: avg.sum + price, count: avg.count + 1 }),
 *     (category, price, avg) => ({ sum: avg.sum - price, count: avg.count - 1 }), { name: 'avg-price' })
 */
export class GroupedTable<K, V, KO, VO> {
  /** @internal */
  constructor(
    private readonly source: GroupedTableSource<K, V>,
    private readonly grouping: TableGrouping<K, V, KO, VO>,
  ) {}

  /**
   * Counts the entries of each group.
   *
   * @example
   * usersByRegion.count(named('users-per-region'))
   */
  count(store: Omit<StoreOptions<KO, number>, 'value'>): Table<KO, number> {
    const spec = keyValueSpec<KO, number>({ ...store, value: float64() }, { key: this.grouping.key })
    return this.build(spec, tableAggregate<KO, VO, number>(spec, () => 0, (_key, _value, count) => count + 1, (_key, _value, count) => count - 1) as AnyOperator)
  }

  /**
   * Combines the values of each group: `adder` puts a value in, `subtractor` takes one out.
   *
   * @example
   * balancesByBranch.reduce((total, balance) => total + balance, (total, balance) => total - balance, { name: 'branch-totals', value: serdes.float64() })
   */
  reduce(adder: (aggregate: VO, value: VO) => VO, subtractor: (aggregate: VO, value: VO) => VO, store: StoreOptions<KO, VO>): Table<KO, VO> {
    const spec = keyValueSpec<KO, VO>(store, { key: this.grouping.key, value: this.grouping.value })
    return this.build(spec, tableReduce<KO, VO>(spec, adder, subtractor) as AnyOperator)
  }

  /**
   * Folds the values of each group into an aggregate starting from `initializer()`: `adder`
   * puts a value in, `subtractor` takes one out.
   *
   * @example
   * pricesByCategory.aggregate(() => ({ sum: 0, count: 0 }), (category, price, avg) => ({ sum: avg.sum + price, count: avg.count + 1 }),
   *   (category, price, avg) => ({ sum: avg.sum - price, count: avg.count - 1 }), { name: 'avg-price' })
   */
  aggregate<A>(
    initializer: () => A,
    adder: (key: KO, value: VO, aggregate: A) => A,
    subtractor: (key: KO, value: VO, aggregate: A) => A,
    store: StoreOptions<KO, A>,
  ): Table<KO, A> {
    const spec = keyValueSpec<KO, A>(store, { key: this.grouping.key })
    return this.build(spec, tableAggregate<KO, VO, A>(spec, initializer, adder, subtractor) as AnyOperator)
  }

  /** The table's updates, mapped, through the repartition topic into the aggregation. */
  private build<A>(spec: KeyValueStoreSpec, aggregation: AnyOperator): Table<KO, A> {
    const { source, grouping } = this
    const name = grouping.name ?? spec.name
    const prior = keyValueSpec<K, V>({ name: `${name}-prior` }, { key: source.key, value: source.value })
    const operators: AnyOperator[] = [
      tableGroupBy<K, V, KO, VO>(prior, grouping.select) as AnyOperator,
      // The repartition topic is named by the user, or after the store: stable either way.
      repartition({ name, key: grouping.key ?? json(), value: change<VO>(grouping.value ?? json<VO>()) }) as AnyOperator,
      aggregation,
    ]
    const stream = source.builder.pipe(source.node, operators)
    return new Table<KO, A>(stream.node, source.builder, spec.name, spec.key as Serde<KO>, { valueSerde: spec.value as Serde<A> })
  }
}
