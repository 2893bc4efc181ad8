import { Subject } from 'rxjs'
import { ConfigError } from '../errors.js'
import { json } from '../serde/json.js'
import type { AnySerde } from './serde-codec.js'
import { filter } from '../../operators/filter.js'
import { to } from '../../operators/to.js'
import { awaitPromises, noteKey } from '../../operators/internal/await-promises.js'
import { mergeNodes } from '../../operators/internal/merge-nodes.js'
import type { StreamRecord } from './record.js'
import { Stream, type SinkSerde, type SinkSerdes, type TopicChooser } from './stream.js'
import { describeOperator, operatorInfo, TopologyGraph, type AnyOperator, type RepartitionSpec, type TimestampExtractor, type TopologyNode } from './topology.js'

type AnyRecord = StreamRecord<unknown, unknown>

/**
 * Turns what an app declares (`stream`, `pipe`, `to`, `branch`, `merge`, `repartition`) into
 * the topology graph. A `repartition` step ends a sub-topology: its records are written to an
 * internal topic and read back, keyed anew, by the next one. Standard RxJS operators get a
 * promise-resolving step after them, so a promise-returning step is tracked like Tributary's
 * own async operators (ordered per key, counted for the commit).
 */
export class StreamBuilder {
  readonly graph = new TopologyGraph()
  private readonly taps = new Map<number, Subject<AnyRecord>>()

  constructor(private readonly appId: string) {}

  source<K, V>(topics: readonly string[], key: AnySerde<K> | undefined, value: AnySerde<V> | undefined, timestamp?: TimestampExtractor): Stream<K, V> {
    const node = this.graph.addSource(topics, key as AnySerde<unknown> | undefined, value as AnySerde<unknown> | undefined, false, timestamp)
    return new Stream<K, V>(node, this)
  }

  pipe(from: TopologyNode, operators: readonly AnyOperator[]): Stream<unknown, unknown> {
    let node = from
    let segment: AnyOperator[] = []
    for (const operator of operators) {
      const info = operatorInfo(operator)
      if (info?.repartition !== undefined) {
        const topic = this.repartitionTopic(info.repartition)
        // The same serdes write the internal topic and read it back.
        const key = info.repartition.key ?? json()
        const value = info.repartition.value ?? json()
        segment.push(to<unknown, unknown>(topic, { key: key as SinkSerde<unknown>, value: value as SinkSerde<unknown> }))
        node = this.graph.addPipe(node, segment)
        segment = []
        node = this.graph.addSource([topic], key, value, true)
      } else if (info === undefined) segment.push(noteKey(), operator, awaitPromises())
      else segment.push(operator)
    }
    if (segment.length > 0 || node === from) node = this.graph.addPipe(node, segment)
    return new Stream(node, this)
  }

  to(from: TopologyNode, topic: TopicChooser<unknown, unknown>, serdes: SinkSerdes<unknown, unknown>): void {
    this.graph.addPipe(from, [to(topic, serdes)])
  }

  branch(from: TopologyNode, predicates: Record<string, (record: AnyRecord) => boolean>): Record<string, Stream<unknown, unknown>> {
    const entries = Object.entries(predicates)
    const branches: Record<string, Stream<unknown, unknown>> = {}
    entries.forEach(([name, predicate], index) => {
      const earlier = entries.slice(0, index).map(([, other]) => other)
      const first = filter<unknown, unknown>((_value, record) => predicate(record) && !earlier.some((other) => other(record)))
      branches[name] = this.pipe(from, [describeOperator(first as AnyOperator, { name: `branch ${name}` })])
    })
    return branches
  }

  merge(from: TopologyNode, others: readonly TopologyNode[]): Stream<unknown, unknown> {
    return this.pipe(from, [mergeNodes(others)])
  }

  /** Set when the app starts: the graph is fixed from then on. */
  frozen = false

  /** The subject that `Stream.subscribe` listens to for a node (fed by every task). */
  tapOf(node: TopologyNode): Subject<AnyRecord> {
    let tap = this.taps.get(node.id)
    if (!tap) {
      if (this.frozen) throw new ConfigError('subscribe', 'subscribe to a stream before app.start(): the running tasks are wired when they are created')
      tap = new Subject<AnyRecord>()
      this.taps.set(node.id, tap)
    }
    return tap
  }

  /** The subject of a node if anyone may watch it. */
  existingTap(node: TopologyNode): Subject<AnyRecord> | undefined {
    return this.taps.get(node.id)
  }

  private repartitionTopic(spec: RepartitionSpec): string {
    const index = this.graph.repartitionTopics.length
    const name = `${this.appId}-${spec.name ?? `repartition-${index}`}-repartition`
    this.graph.addRepartitionTopic({ name, partitions: spec.partitions })
    return name
  }
}
