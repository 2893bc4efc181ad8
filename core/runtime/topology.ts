import type { AppService } from './app-service.js'
import type { OperatorFunction } from 'rxjs'
import { TopologyError } from './errors.js'
import type { AnySerde } from './serde-codec.js'
import type { StreamRecord } from './record.js'
import type { KeyValueStoreSpec, StoreSpec } from '../../state/store-spec.js'

/** Any record type (for graph plumbing, where types are erased). */
export type AnyRecord = StreamRecord<unknown, unknown>
/** An operator as the graph stores it: types erased (every operator is one), checked where the user wrote it. */
export type AnyOperator = OperatorFunction<never, unknown>

/** Where a stream's records come from: topics read with serdes. */
export interface SourceNode {
  readonly kind: 'source'
  readonly id: number
  readonly topics: readonly string[]
  readonly key: AnySerde<unknown> | undefined
  readonly value: AnySerde<unknown> | undefined
  /** A repartition topic this app writes and reads itself. */
  readonly internal: boolean
  /** Event time of a record; undefined: the record's timestamp. */
  readonly timestamp: TimestampExtractor | undefined
}

/** Picks a record's event time (milliseconds since the epoch). */
export type TimestampExtractor = (record: StreamRecord<unknown, unknown>) => number

/** A chain of operators applied to its parent's records. */
export interface PipeNode {
  readonly kind: 'pipe'
  readonly id: number
  readonly parent: TopologyNode
  readonly operators: readonly AnyOperator[]
  /** Nodes whose per-task instances the operators read (merge, joins): same sub-topology. */
  readonly dependsOn: readonly TopologyNode[]
}

export type TopologyNode = SourceNode | PipeNode

/** What a repartition topic is. */
export interface RepartitionTopic {
  readonly name: string
  /** Undefined: as many as the widest source topic of the sub-topology writing it. */
  readonly partitions: number | undefined
}

/** Metadata Tributary's operators carry, read when the graph is built and described. */
export interface OperatorInfo {
  readonly name: string
  /** Plumbing the builder inserts; left out of describe(). */
  readonly hidden?: boolean
  readonly dependsOn?: readonly TopologyNode[]
  /**
   * A join's other inputs: the source topics above each must have as many partitions as those
   * above the operator's own input, so that a key is in the same partition on every side.
   */
  readonly coPartitioned?: readonly TopologyNode[]
  /** The operator writes to these topics (a sink); a function topic is dynamic routing. */
  readonly sinkTopics?: readonly (string | 'dynamic')[]
  /** The operator ends the sub-topology here: records go through an internal topic. */
  readonly repartition?: RepartitionSpec
  /** Stores the operator reads and writes (registered with the graph by the builder). */
  readonly stores?: readonly StoreSpec[]
  /** Global tables' stores the operator reads (declared with `app.globalTable`). */
  readonly globalStores?: readonly string[]
  /** Services the app runs beside its tasks for this operator (the connector of a `sink(...)`). */
  readonly services?: readonly AppService[]
}

/** A global table: its store (the serdes of its topic) and the topic it replicates. */
export interface GlobalStoreSpec {
  readonly spec: KeyValueStoreSpec
  readonly topic: string
}

export interface RepartitionSpec {
  readonly name: string | undefined
  readonly partitions: number | undefined
  readonly key: AnySerde<unknown> | undefined
  readonly value: AnySerde<unknown> | undefined
}

export const OPERATOR_INFO: unique symbol = Symbol('tributary.operatorInfo')

/** Attaches graph metadata to an operator function. */
export function describeOperator<F extends object>(operator: F, info: OperatorInfo): F {
  return Object.assign(operator, { [OPERATOR_INFO]: info })
}

/** The metadata of one of Tributary's operators; undefined for any other (standard RxJS) operator. */
export function operatorInfo(operator: AnyOperator): OperatorInfo | undefined {
  return (operator as { [OPERATOR_INFO]?: OperatorInfo })[OPERATOR_INFO]
}

/** A name for describe(): the operator's own, or the function's name for a foreign one. */
export function operatorName(operator: AnyOperator): string {
  return operatorInfo(operator)?.name ?? (operator.name && operator.name !== 'anonymous' ? operator.name : 'rxjs operator')
}

/**
 * The declared graph, as data. Nodes are added as the app declares streams; the runtime
 * splits it into sub-topologies (connected parts between repartition topics) and runs one
 * task per (sub-topology, partition).
 */
export class TopologyGraph {
  readonly nodes: TopologyNode[] = []
  readonly repartitionTopics: RepartitionTopic[] = []
  /** Every store of the app, by name. */
  readonly stores = new Map<string, StoreSpec>()
  /** The global tables' stores, by name (one copy per instance, not per task). */
  readonly globalStores = new Map<string, GlobalStoreSpec>()
  /** node id → how many pipes read it (as parent or dependency). */
  private readonly consumers = new Map<number, number>()

  addSource(topics: readonly string[], key: AnySerde<unknown> | undefined, value: AnySerde<unknown> | undefined, internal = false, timestamp?: TimestampExtractor): SourceNode {
    const node: SourceNode = { kind: 'source', id: this.nodes.length, topics, key, value, internal, timestamp }
    this.nodes.push(node)
    return node
  }

  addPipe(parent: TopologyNode, operators: readonly AnyOperator[]): PipeNode {
    const dependsOn = operators.flatMap((operator) => operatorInfo(operator)?.dependsOn ?? [])
    const node: PipeNode = { kind: 'pipe', id: this.nodes.length, parent, operators, dependsOn }
    for (const store of this.storesOf(node)) {
      if (this.stores.has(store.name) || this.globalStores.has(store.name)) throw new TopologyError(`two operators use the store name ${JSON.stringify(store.name)}; every store needs its own name`)
      this.stores.set(store.name, store)
    }
    this.nodes.push(node)
    for (const input of [parent, ...dependsOn]) this.consumers.set(input.id, this.consumerCount(input) + 1)
    return node
  }

  /** Declares a global table's store. */
  addGlobalStore(global: GlobalStoreSpec): void {
    const name = global.spec.name
    if (this.stores.has(name) || this.globalStores.has(name)) throw new TopologyError(`two operators use the store name ${JSON.stringify(name)}; every store needs its own name`)
    this.globalStores.set(name, global)
  }

  /** The stores a node's operators use. */
  storesOf(node: TopologyNode): StoreSpec[] {
    return node.kind === 'pipe' ? node.operators.flatMap((operator) => operatorInfo(operator)?.stores ?? []) : []
  }

  addRepartitionTopic(topic: RepartitionTopic): void {
    this.repartitionTopics.push(topic)
  }

  /** Nodes nothing downstream reads: the ends of the pipelines. */
  leaves(): TopologyNode[] {
    return this.nodes.filter((node) => this.consumerCount(node) === 0)
  }

  /** The topics the app reads that it does not write itself (its repartition topics), each once. */
  externalSourceTopics(): string[] {
    const internal = new Set(this.repartitionTopics.map((topic) => topic.name))
    const topics = new Set<string>()
    for (const node of this.nodes) if (node.kind === 'source') for (const topic of node.topics) if (!internal.has(topic)) topics.add(topic)
    return [...topics]
  }

  /** How many pipes read a node: more than one means its records are shared (multicast). */
  consumerCount(node: TopologyNode): number {
    return this.consumers.get(node.id) ?? 0
  }

  /** Groups nodes into sub-topologies: nodes joined by pipes or dependencies share one. */
  subTopologies(): TopologyNode[][] {
    const parent = this.nodes.map((node) => node.id)
    const find = (id: number): number => {
      while (parent[id] !== id) id = parent[id] = parent[parent[id]!]!
      return id
    }
    const union = (a: number, b: number): void => {
      parent[find(a)] = find(b)
    }
    for (const node of this.nodes) {
      if (node.kind !== 'pipe') continue
      union(node.id, node.parent.id)
      for (const dependency of node.dependsOn) union(node.id, dependency.id)
    }
    const groups = new Map<number, TopologyNode[]>()
    for (const node of this.nodes) {
      const root = find(node.id)
      const group = groups.get(root) ?? []
      group.push(node)
      groups.set(root, group)
    }
    return [...groups.values()].sort((a, b) => a[0]!.id - b[0]!.id)
  }
}
