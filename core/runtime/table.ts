import type { Serde } from '../serde/types.js'
import { ConfigError } from '../errors.js'
import { held } from '../serde/held.js'
import { json } from '../serde/json.js'
import { suppressUntilWindowCloses, type UntilWindowCloses } from '../../operators/suppress.js'
import { checkStoreName, type KeyValueStoreSpec } from '../../state/store-spec.js'
import { tableFilter } from '../../operators/table-filter.js'
import { tableMapValues } from '../../operators/table-map-values.js'
import { toTable } from '../../operators/to-table.js'
import { tableTableJoin } from '../../operators/table-table-join.js'
import type { JoinKind } from './join-windows.js'
import type { AnyOperator, TopologyNode } from './topology.js'
import type { StreamBuilder } from './stream-builder.js'
import { Stream } from './stream.js'
import { GroupedTable } from './grouped-table.js'
import type { TableRegrouping } from '../../operators/table-group-by.js'
import { keyValueSpec, type StoreOptions } from './store-options.js'

/** A joiner as the graph stores it: types erased. */
type Joiner = (left: unknown, right: unknown, key: unknown) => unknown

/** What a table knows of itself beyond its key serde. */
export interface TableDetails<V> {
  readonly valueSerde?: Serde<V> | undefined
  /** For a windowed table: how long after a window's end it closes (what `suppress` waits for). */
  readonly closesAfterEndMs?: number | undefined
}

/**
 * A table: the latest value per key of a changelog stream, as Kafka Streams' KTable. Its
 * updates flow on as records whose `null` value is a tombstone (the key was deleted). A table
 * made by an aggregation, `toTable` or a named operation is materialized in a store, which
 * `app.store(name)` reads from outside.
 *
 * @example
 * const counts = words.groupByKey({ key: serdes.string() }).count(named('word-counts'))
 * counts.filter((n) => n >= 10).toStream().to('frequent-words', { key: serdes.string(), value: serdes.float64() })
 */
export class Table<K, V> {
  /** @internal */
  constructor(
    readonly node: TopologyNode,
    private readonly builder: StreamBuilder,
    /** The store holding it, when materialized. */
    readonly storeName: string | undefined,
    /** @internal The key serde, when known (the default of derived stores). */
    readonly keySerde: Serde<K> | undefined,
    /** @internal Its value serde and, for a windowed table, its windows. */
    readonly details: TableDetails<V> = {},
  ) {}

  /**
   * Holds updates back and emits one final result per window once it closes (stream time past
   * its end plus grace): Kafka Streams' `suppress(Suppressed.untilWindowCloses(...))`. The
   * held updates live in a changelogged store (`<store>-suppress` unless named), so a restart
   * loses none. Only for windowed tables.
   *
   * @example
   * counts.suppress(untilWindowCloses()).toStream().to('final-counts', { key: serdes.windowed(serdes.string()), value: serdes.float64() })
   */
  suppress(strategy: UntilWindowCloses): Table<K, V> {
    const closesAfterEndMs = this.details.closesAfterEndMs
    if (closesAfterEndMs === undefined || this.storeName === undefined || this.keySerde === undefined) {
      throw new ConfigError('suppress', 'untilWindowCloses needs a windowed table: one made by groupByKey().windowedBy(...).count/reduce/aggregate')
    }
    const name = strategy.name ?? `${this.storeName}-suppress`
    checkStoreName(name)
    const key = this.keySerde as Serde<unknown>
    const value = held((this.details.valueSerde ?? json()) as Serde<unknown>)
    const buffer: KeyValueStoreSpec = { kind: 'key-value', name, key, value: value as Serde<unknown> }
    const identify = (windowed: unknown): string => key.serialize(windowed, { topic: name, isKey: true }).toString('latin1')
    const operator = suppressUntilWindowCloses<unknown, unknown>(closesAfterEndMs, buffer, identify)
    const stream = this.builder.pipe(this.node, [operator as AnyOperator])
    return new Table<K, V>(stream.node, this.builder, this.storeName, this.keySerde, this.details)
  }

  /** The table's updates as a stream; a deleted key comes as a record with a `null` value. */
  toStream(): Stream<K, V | null> {
    return new Stream<K, V | null>(this.node, this.builder)
  }

  /**
   * A table of mapped values (tombstones pass through). With a name, it is materialized in a
   * store of that name, queryable with `app.store(name)`.
   *
   * @example
   * const emails = profiles.mapValues((profile) => profile.email)
   */
  mapValues<VO>(project: (value: V, key: K) => VO, store?: StoreOptions<K, VO>): Table<K, VO> {
    return this.derive<VO>(tableMapValues<K, V, VO>(project) as AnyOperator, store)
  }

  /**
   * A table of the entries passing `predicate`: an update that fails it deletes the key from
   * the filtered table (a tombstone goes downstream). With a name, it is materialized.
   *
   * @example
   * const active = users.filter((user) => user.active)
   */
  filter(predicate: (value: V, key: K) => boolean, store?: StoreOptions<K, V>): Table<K, V> {
    return this.derive<V>(tableFilter<K, V>(predicate) as AnyOperator, store)
  }

  /**
   * Regroups the table by a new key for an aggregation, as Kafka Streams' `KTable.groupBy`:
   * `select` maps each entry to its group's key and the value it brings to the group (null key:
   * in no group). Updates go through the repartition topic `<app id>-<name>-repartition` (name:
   * `options.name`, or the aggregation's store name). The aggregations of a grouped table take a
   * subtractor, since an entry's former value leaves its group when the entry changes.
   *
   * @example
   * const usersPerRegion = users.groupBy((id, user) => [user.region, user], { key: serdes.string() }).count(named('users-per-region'))
   */
  groupBy<KO, VO>(select: TableRegrouping<K, V, KO, VO>, options: { readonly name?: string; readonly key?: Serde<KO>; readonly value?: Serde<VO> } = {}): GroupedTable<K, V, KO, VO> {
    if (options.name !== undefined) checkStoreName(options.name)
    const source = { node: this.node, builder: this.builder, key: this.keySerde, value: this.details.valueSerde }
    return new GroupedTable<K, V, KO, VO>(source, { select, key: options.key, value: options.value, name: options.name })
  }

  /**
   * Joins two materialized tables by key (Kafka Streams' KTable-KTable equi-join): an update of
   * either looks up the other's value of its key and updates the result; the result holds a key
   * while both tables do, and deleting it from either emits a tombstone. Both must be
   * co-partitioned. With a name, the result is materialized.
   *
   * @example
   * const profiles = names.join(emails, (name, email) => ({ name, email }), { name: 'profiles' })
   */
  join<VR, VO>(other: Table<K, VR>, joiner: (value: V, otherValue: VR, key: K) => VO, store?: StoreOptions<K, VO>): Table<K, VO> {
    return this.joinWith('inner', other, joiner as Joiner, store)
  }

  /**
   * As `join`, and the result holds every key of this table: joined with null while the other
   * table lacks it.
   *
   * @example
   * const withPlans = users.leftJoin(plans, (user, plan) => ({ ...user, plan: plan ?? 'free' }))
   */
  leftJoin<VR, VO>(other: Table<K, VR>, joiner: (value: V, otherValue: VR | null, key: K) => VO, store?: StoreOptions<K, VO>): Table<K, VO> {
    return this.joinWith('left', other, joiner as Joiner, store)
  }

  /**
   * As `join`, and the result holds every key of either table, joined with null on the side that
   * lacks it; it is deleted once neither has it.
   *
   * @example
   * const both = stock.outerJoin(prices, (quantity, price) => ({ quantity, price }))
   */
  outerJoin<VR, VO>(other: Table<K, VR>, joiner: (value: V | null, otherValue: VR | null, key: K) => VO, store?: StoreOptions<K, VO>): Table<K, VO> {
    return this.joinWith('outer', other, joiner as Joiner, store)
  }

  /**
   * @internal The store a join looks this table up in. A table must be materialized for that (a
   * source table, an aggregation, `toTable` or a named operation) in a key-value store (not windowed).
   */
  joinStore(operation: string): string {
    if (this.storeName === undefined) {
      throw new ConfigError(operation, 'the table is not materialized, so a join cannot look its values up: name the operation that made it (e.g. table.mapValues(fn, { name: \'emails\' }))')
    }
    if (this.builder.graph.stores.get(this.storeName)?.kind !== 'key-value') {
      throw new ConfigError(operation, `the table in store ${this.storeName} is windowed, and a windowed table cannot be joined; join the stream it was aggregated from instead`)
    }
    return this.storeName
  }

  private joinWith<VR, VO>(kind: JoinKind, other: Table<K, VR>, joiner: Joiner, store: StoreOptions<K, VO> | undefined): Table<K, VO> {
    const operation = kind === 'inner' ? 'join' : `${kind}Join`
    const stores = { left: this.joinStore(operation), right: other.joinStore(operation) }
    return this.derive<VO>(tableTableJoin(kind, stores, other.node, joiner) as AnyOperator, store)
  }

  private derive<VO>(operator: AnyOperator, store: StoreOptions<K, VO> | undefined): Table<K, VO> {
    const operators: AnyOperator[] = [operator]
    if (store !== undefined) operators.push(toTable(keyValueSpec(store, { key: this.keySerde })) as AnyOperator)
    const stream = this.builder.pipe(this.node, operators)
    return new Table<K, VO>(stream.node, this.builder, store?.name, store?.key ?? this.keySerde, { valueSerde: store?.value })
  }
}
