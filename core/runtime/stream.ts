import { Observable, Subject, type Observer, type OperatorFunction, type Subscribable, type Unsubscribable } from 'rxjs'
import type { NullableSerde } from '../serde/types.js'
import type { AnySerde } from './serde-codec.js'
import type { KeyOf, StreamRecord, ValueOf } from './record.js'
import type { AnyOperator, TopologyNode } from './topology.js'
import type { StreamBuilder } from './stream-builder.js'
import type { Serde } from '../serde/types.js'
import { ConfigError } from '../errors.js'
import { GroupedStream } from './grouped-stream.js'
import { keyValueSpec, type StoreOptions } from './store-options.js'
import { Table, type TableDetails } from './table.js'
import { toTable } from '../../operators/to-table.js'
import { streamStreamJoin } from '../../operators/stream-stream-join.js'
import { streamTableJoin } from '../../operators/stream-table-join.js'
import { streamGlobalJoin } from '../../operators/stream-global-join.js'
import { GlobalTable } from './global-table.js'
import { streamJoinStores, type JoinKind, type JoinWindows, type StreamJoinOptions } from './join-windows.js'

type R<K, V> = StreamRecord<K, V>
/** A joiner as the graph stores it: types erased. */
type AnyJoiner = (value: never, other: never, key: never) => unknown
/** What a stream joins, as the graph sees it: types erased. */
type AnyJoined = { readonly node: TopologyNode }
type Op<A, B> = OperatorFunction<A, B>
/** A record type's stream: what `pipe` returns once promises are resolved. */
type StreamOf<A> = Stream<KeyOf<Awaited<A>>, ValueOf<Awaited<A>>>

/** Where `to` writes: a topic, or a function of the record for dynamic routing. */
export type TopicChooser<K, V> = string | ((record: StreamRecord<K, V>) => string)

/** A serde that can write every `T`: for a type with null, a plain serde of the rest (null becomes a tombstone) or a nullable one. */
export type SinkSerde<T> = unknown extends T
  ? AnySerde<unknown>
  : AnySerde<NonNullable<T>> | (null extends T ? NullableSerde<NonNullable<T>> : never)

export interface SinkSerdes<K, V> {
  readonly key?: SinkSerde<K>
  readonly value?: SinkSerde<V>
}

/**
 * A stream of records of one topic (or several), as declared in an app. `pipe` shapes it with
 * Tributary's operators and standard RxJS operators alike; `to` writes it to a topic. A
 * stream is also subscribable: `stream.subscribe(r => …)` watches the records flowing at
 * this point of the running app, across its tasks.
 *
 * @example
 * app.stream('lines', { value: serdes.string() })
 *   .pipe(flatMap((line) => line.split(/\W+/)), filter((word) => word.length > 0))
 *   .to('words', { value: serdes.string() })
 */
export class Stream<K, V> implements Subscribable<StreamRecord<K, V>> {
  /** @internal */
  constructor(
    readonly node: TopologyNode,
    private readonly builder: StreamBuilder,
  ) {}

  pipe(): Stream<K, V>
  pipe<A>(op1: Op<R<K, V>, A>): StreamOf<A>
  pipe<A, B>(op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>): StreamOf<B>
  pipe<A, B, C>(op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>, op3: Op<Awaited<B>, C>): StreamOf<C>
  pipe<A, B, C, D>(op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>, op3: Op<Awaited<B>, C>, op4: Op<Awaited<C>, D>): StreamOf<D>
  pipe<A, B, C, D, E>(
    op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>, op3: Op<Awaited<B>, C>, op4: Op<Awaited<C>, D>, op5: Op<Awaited<D>, E>,
  ): StreamOf<E>
  pipe<A, B, C, D, E, F>(
    op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>, op3: Op<Awaited<B>, C>, op4: Op<Awaited<C>, D>, op5: Op<Awaited<D>, E>,
    op6: Op<Awaited<E>, F>,
  ): StreamOf<F>
  pipe<A, B, C, D, E, F, G>(
    op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>, op3: Op<Awaited<B>, C>, op4: Op<Awaited<C>, D>, op5: Op<Awaited<D>, E>,
    op6: Op<Awaited<E>, F>, op7: Op<Awaited<F>, G>,
  ): StreamOf<G>
  pipe<A, B, C, D, E, F, G, H>(
    op1: Op<R<K, V>, A>, op2: Op<Awaited<A>, B>, op3: Op<Awaited<B>, C>, op4: Op<Awaited<C>, D>, op5: Op<Awaited<D>, E>,
    op6: Op<Awaited<E>, F>, op7: Op<Awaited<F>, G>, op8: Op<Awaited<G>, H>,
  ): StreamOf<H>
  pipe(...operators: AnyOperator[]): unknown {
    // The overloads carry the types; the graph stores operators with types erased.
    return this.builder.pipe(this.node, operators)
  }

  /**
   * Writes every record to a topic, or to the topic a function picks per record.
   *
   * @example
   * stream.to('orders-by-region', { key: serdes.string(), value: serdes.json<Order>() })
   * stream.to((record) => `events-${record.value.kind}`, { value: serdes.json<Event>() })
   */
  to(topic: TopicChooser<K, V>, serdes: SinkSerdes<K, V> = {}): void {
    this.builder.to(this.node, topic as TopicChooser<unknown, unknown>, serdes as SinkSerdes<unknown, unknown>)
  }

  /**
   * Splits the stream by predicates into named streams; each record goes to the first branch
   * whose predicate it passes (records passing none are dropped, unless a branch accepts all).
   *
   * @example
   * const { large, small } = orders.branch({ large: (r) => r.value.total > 100, small: () => true })
   */
  branch<N extends string>(predicates: Record<N, (record: StreamRecord<K, V>) => boolean>): Record<N, Stream<K, V>> {
    return this.builder.branch(this.node, predicates as Record<N, (record: StreamRecord<unknown, unknown>) => boolean>) as Record<N, Stream<K, V>>
  }

  /**
   * One stream of this one's records and the others'. All must be read in the same task, so
   * their source topics are processed partition by partition together.
   *
   * @example
   * const all = web.merge(mobile)
   */
  merge(...others: Stream<K, V>[]): Stream<K, V> {
    return this.builder.merge(this.node, others.map((other) => other.node)) as Stream<K, V>
  }

  /**
   * Groups the stream by its current key, for `count`, `reduce` and `aggregate`. Records of a
   * key must already be in one partition: after `selectKey`, use `groupBy` (or `repartition()`).
   * The serdes (JSON by default) write the key and value into stores.
   *
   * @example
   * const counts = words.groupByKey({ key: serdes.string() }).count(named('word-counts'))
   */
  groupByKey(serdes: { readonly key?: Serde<NonNullable<K>>; readonly value?: Serde<NonNullable<V>> } = {}): GroupedStream<NonNullable<K>, NonNullable<V>> {
    // Records with a null key or value are skipped by aggregations: the grouped types exclude null.
    return new GroupedStream<NonNullable<K>, NonNullable<V>>(this as Stream<unknown, NonNullable<V>>, { key: serdes.key, value: serdes.value })
  }

  /**
   * Groups the stream by a new key: records go through the repartition topic
   * `<app id>-<name>-repartition` (name: `options.name`, or the store's) to their key's partition.
   *
   * @example
   * const byRegion = orders.groupBy((order) => order.region, { key: serdes.string(), value: serdes.json<Order>() })
   */
  groupBy<KO>(select: (value: V, record: StreamRecord<K, V>) => KO, options: { readonly name?: string; readonly key?: Serde<NonNullable<KO>>; readonly value?: Serde<NonNullable<V>> } = {}): GroupedStream<NonNullable<KO>, NonNullable<V>> {
    return new GroupedStream<NonNullable<KO>, NonNullable<V>>(this as Stream<unknown, NonNullable<V>>, { key: options.key, value: options.value, rekey: { select: select as (value: never, record: never) => NonNullable<KO>, name: options.name } })
  }

  /**
   * The stream as a table: each record's value becomes its key's value, and a null value
   * deletes the key. Kept in the named store.
   *
   * @example
   * const profiles = app.stream('profile-updates', { key: serdes.string(), value: serdes.nullable(serdes.json<Profile>()) })
   *   .toTable({ name: 'profiles', key: serdes.string(), value: serdes.json<Profile>() })
   */
  toTable(store: StoreOptions<K, NonNullable<V>>): Table<K, NonNullable<V>> {
    const spec = keyValueSpec(store)
    const table = this.builder.pipe(this.node, [toTable(spec) as AnyOperator])
    return new Table<K, NonNullable<V>>(table.node, this.builder, spec.name, store.key, { valueSerde: store.value })
  }

  /**
   * Joins this stream with another one within a time window (Kafka Streams' KStream-KStream
   * join): a record of either stream joins the other's records of its key whose timestamps are
   * within `window`, as records arrive, and the result has the later timestamp. Or joins it with
   * a materialized table (KStream-KTable): each record looks up the table's current value of its
   * key, and table updates emit nothing. Both sides must be co-partitioned (the app refuses to
   * start otherwise: `repartition()` one side). Records with a null key or value are skipped.
   *
   * @example
   * const paid = orders.join(payments, (order, payment) => ({ order, payment }), joinWindow('10m', { grace: '1m' }), { name: 'order-payments' })
   * const enriched = clicks.join(profiles, (click, profile) => ({ ...click, region: profile.region }))
   */
  join<VR, VO>(other: Stream<K, VR>, joiner: (value: NonNullable<V>, otherValue: NonNullable<VR>, key: NonNullable<K>) => VO, window: JoinWindows, options: StreamJoinOptions<K, V, VR>): Stream<NonNullable<K>, VO>
  join<VT, VO>(table: Table<NonNullable<K>, VT>, joiner: (value: NonNullable<V>, tableValue: VT, key: NonNullable<K>) => VO): Stream<NonNullable<K>, VO>
  join<KG, VG, VO>(table: GlobalTable<KG, VG>, keyOf: (key: K, value: NonNullable<V>) => KG | null | undefined, joiner: (value: NonNullable<V>, tableValue: VG, key: K) => VO): Stream<K, VO>
  join(other: AnyJoined | GlobalTable<unknown, unknown>, joiner: AnyJoiner, window?: JoinWindows | AnyJoiner, options?: StreamJoinOptions<K, V, unknown>): unknown {
    if (other instanceof GlobalTable) return this.joinGlobal('inner', other, joiner, window as AnyJoiner)
    return this.joinWith('inner', other, joiner, window as JoinWindows | undefined, options)
  }

  /**
   * As `join`, and a record of this stream that finds no match is emitted too, joined with null:
   * with a stream, once its window has closed (its end plus grace); with a table, at once.
   *
   * @example
   * orders.leftJoin(payments, (order, payment) => ({ order, paid: payment !== null }), joinWindow('10m'), { name: 'order-payments' })
   * clicks.leftJoin(profiles, (click, profile) => ({ ...click, region: profile?.region ?? 'unknown' }))
   */
  leftJoin<VR, VO>(other: Stream<K, VR>, joiner: (value: NonNullable<V>, otherValue: NonNullable<VR> | null, key: NonNullable<K>) => VO, window: JoinWindows, options: StreamJoinOptions<K, V, VR>): Stream<NonNullable<K>, VO>
  leftJoin<VT, VO>(table: Table<NonNullable<K>, VT>, joiner: (value: NonNullable<V>, tableValue: VT | null, key: NonNullable<K>) => VO): Stream<NonNullable<K>, VO>
  leftJoin<KG, VG, VO>(table: GlobalTable<KG, VG>, keyOf: (key: K, value: NonNullable<V>) => KG | null | undefined, joiner: (value: NonNullable<V>, tableValue: VG | null, key: K) => VO): Stream<K, VO>
  leftJoin(other: AnyJoined | GlobalTable<unknown, unknown>, joiner: AnyJoiner, window?: JoinWindows | AnyJoiner, options?: StreamJoinOptions<K, V, unknown>): unknown {
    if (other instanceof GlobalTable) return this.joinGlobal('left', other, joiner, window as AnyJoiner)
    return this.joinWith('left', other, joiner, window as JoinWindows | undefined, options)
  }

  /**
   * As the windowed `join`, and a record of either stream that finds no match is emitted too,
   * joined with null on the other side, once its window has closed.
   *
   * @example
   * left.outerJoin(right, (l, r) => ({ l, r }), joinWindow('5s', { grace: '1s' }), { name: 'left-right' })
   */
  outerJoin<VR, VO>(other: Stream<K, VR>, joiner: (value: NonNullable<V> | null, otherValue: NonNullable<VR> | null, key: NonNullable<K>) => VO, window: JoinWindows, options: StreamJoinOptions<K, V, VR>): Stream<NonNullable<K>, VO> {
    return this.joinWith('outer', other, joiner as AnyJoiner, window, options as StreamJoinOptions<K, V, unknown>) as Stream<NonNullable<K>, VO>
  }

  private joinGlobal(kind: 'inner' | 'left', table: GlobalTable<unknown, unknown>, keyOf: AnyJoiner, joiner: AnyJoiner | undefined): Stream<unknown, unknown> {
    const operation = kind === 'inner' ? 'join' : 'leftJoin'
    if (typeof keyOf !== 'function' || typeof joiner !== 'function') throw new ConfigError(operation, 'a join with a global table takes a key extractor and a joiner: stream.join(global, (key, value) => lookupKey, (value, tableValue) => result)')
    const operator = streamGlobalJoin(kind, table.storeName, keyOf as (key: unknown, value: unknown) => unknown, joiner as (value: unknown, tableValue: unknown, key: unknown) => unknown)
    return this.builder.pipe(this.node, [operator as AnyOperator])
  }

  private joinWith(kind: JoinKind, other: AnyJoined, joiner: AnyJoiner, window: JoinWindows | undefined, options: StreamJoinOptions<K, V, unknown> | undefined): Stream<unknown, unknown> {
    const operation = kind === 'inner' ? 'join' : `${kind}Join`
    let operator: AnyOperator
    if (other instanceof Table) {
      if (kind === 'outer') throw new ConfigError(operation, 'a stream and a table have no outer join (as in Kafka Streams): use leftJoin')
      operator = streamTableJoin(kind, { node: other.node, store: other.joinStore(operation) }, joiner as (value: unknown, tableValue: unknown, key: unknown) => unknown) as AnyOperator
    } else {
      if (window === undefined || options === undefined) throw new ConfigError(operation, 'a stream-stream join needs a window (joinWindow(...)) and options with the name of its stores')
      const stores = streamJoinStores(kind, window, options as StreamJoinOptions<unknown, unknown, unknown>)
      const key = stores.left.key
      const identify = (value: unknown): string => key.serialize(value, { topic: stores.left.name, isKey: true }).toString('latin1')
      operator = streamStreamJoin({ kind, other: other.node, windows: window, stores, joiner: joiner as (left: unknown, right: unknown, key: unknown) => unknown, identify }) as AnyOperator
    }
    return this.builder.pipe(this.node, [operator])
  }

  /** @internal A stream of table updates as the Table it is, materialized in `store`. */
  asTable<VT>(store: string, key: Serde<K> | undefined, details: TableDetails<VT> = {}): Table<K, VT> {
    return new Table<K, VT>(this.node, this.builder, store, key, details)
  }

  /** Watches the records at this point of the running app, from every task. */
  subscribe(observer: Partial<Observer<StreamRecord<K, V>>> | ((record: StreamRecord<K, V>) => void)): Unsubscribable {
    const tap = this.builder.tapOf(this.node) as Subject<StreamRecord<K, V>>
    return typeof observer === 'function' ? tap.subscribe(observer) : tap.subscribe(observer)
  }

  /** The watched records as a plain RxJS Observable (for `from(stream)`, `firstValueFrom`, …). */
  asObservable(): Observable<StreamRecord<K, V>> {
    return (this.builder.tapOf(this.node) as Subject<StreamRecord<K, V>>).asObservable()
  }
}
