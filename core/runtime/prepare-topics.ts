import { UnknownTopicOrPartitionError } from '../log/errors.js'
import type { Log, TopicConfig } from '../log/types.js'
import type { ErrorPolicy } from './app-options.js'
import { TopologyError } from './errors.js'
import { changelogTopic, type StoreSpec } from '../../state/store-spec.js'
import { operatorInfo, operatorName, type SourceNode, type TopologyGraph, type TopologyNode } from './topology.js'

/**
 * How repartition topics are created, as Kafka Streams creates them: never deleted by age
 * (`retentionMs: -1`), because records a stopped app has not read yet must wait for it; the
 * runtime purges what its tasks committed with `deleteRecords` instead. 50 MiB segments let a
 * purge free disk soon, as only whole segments below the start offset are removed.
 */
const REPARTITION_TOPIC_CONFIG = { cleanup: 'delete', retentionMs: -1, segmentBytes: 50 * 1024 * 1024 } as const satisfies Omit<TopicConfig, 'partitions'>

/** A connected part of the graph between repartition topics: one task per partition runs it. */
export interface SubTopology {
  readonly index: number
  readonly sources: readonly SourceNode[]
  readonly leaves: readonly TopologyNode[]
  /** The stores its operators use: each task holds one shard (its partition) of each. */
  readonly stores: readonly StoreSpec[]
  /** Its partitions: those of its widest input (one task each). */
  readonly partitions: number
}

/**
 * Readies the log for an app: checks that its source and dead-letter topics exist (a
 * TopologyError names those missing) and that the inputs of each join have as many partitions
 * on both sides (a TopologyError names them), creates missing repartition topics (as wide as
 * the other inputs of the join they feed, or else as the widest input of the sub-topology writing
 * them) and the stores' compacted changelog topics, and splits the graph into sub-topologies.
 *
 * @example
 * const subTopologies = await prepareTopics(log, builder.graph, [onDeserializationError, onProcessingError], 'wordcount')
 */
export async function prepareTopics(log: Log, graph: TopologyGraph, policies: readonly ErrorPolicy[], appId: string): Promise<SubTopology[]> {
  const partitionCounts = new Map<string, number>()
  const missing: string[] = []
  for (const topic of graph.externalSourceTopics()) {
    try {
      partitionCounts.set(topic, (await log.describeTopic(topic)).partitions.length)
    } catch (error) {
      if (error instanceof UnknownTopicOrPartitionError) missing.push(topic)
      else throw error
    }
  }
  if (missing.length > 0) {
    throw new TopologyError(`source topics missing: ${missing.join(', ')}; create them first (tributary topics create NAME --partitions N)`)
  }
  for (const policy of policies) {
    if (typeof policy !== 'object') continue
    try {
      await log.describeTopic(policy.deadLetter)
    } catch (error) {
      if (!(error instanceof UnknownTopicOrPartitionError)) throw error
      throw new TopologyError(`dead-letter topic ${policy.deadLetter} is missing; create it before starting the app, so the first bad record cannot stop it`)
    }
  }
  const groups = graph.subTopologies()
  const joins = coPartitionedInputs(graph)
  const created: { readonly name: string; readonly partitions: number }[] = []
  for (const topic of graph.repartitionTopics) {
    try {
      partitionCounts.set(topic.name, (await log.describeTopic(topic.name)).partitions.length)
      continue
    } catch (error) {
      if (!(error instanceof UnknownTopicOrPartitionError)) throw error
    }
    // A join's input is as wide as the join's other inputs; any other by default as wide as the
    // widest input of the sub-topology that writes it.
    const writer = groups.find((nodes) => nodes.some((node) => node.kind === 'pipe' && node.operators.some((op) => operatorInfo(op)?.sinkTopics?.includes(topic.name))))
    const inputs = (writer ?? []).flatMap((node) => (node.kind === 'source' ? node.topics : []))
    const partitions = topic.partitions ?? joinWidth(topic.name, joins, partitionCounts) ?? Math.max(1, ...inputs.map((input) => partitionCounts.get(input) ?? 1))
    partitionCounts.set(topic.name, partitions)
    created.push({ name: topic.name, partitions })
  }
  checkCoPartitioned(joins, partitionCounts)
  for (const { name, partitions } of created) await log.createTopic(name, { partitions, ...REPARTITION_TOPIC_CONFIG })
  const leaves = new Set(graph.leaves())
  const subTopologies = groups.map((nodes, index) => {
    const sources = nodes.filter((node): node is SourceNode => node.kind === 'source')
    return {
      index,
      sources,
      leaves: nodes.filter((node) => leaves.has(node)),
      stores: nodes.flatMap((node) => graph.storesOf(node)),
      partitions: Math.max(1, ...sources.flatMap((source) => source.topics.map((topic) => partitionCounts.get(topic) ?? 1))),
    }
  })
  // A store has a shard per task, so its changelog is as wide as the sub-topology's inputs.
  for (const sub of subTopologies) for (const store of sub.stores) await ensureChangelog(log, changelogTopic(appId, store.name), sub.partitions)
  return subTopologies
}

/** A join's inputs: the source topics of each side, which must all have the same number of partitions. */
interface CoPartitionedInputs {
  readonly operator: string
  readonly sides: readonly (readonly string[])[]
}

/** The inputs of every operator that joins (one whose info names `coPartitioned` nodes). */
function coPartitionedInputs(graph: TopologyGraph): CoPartitionedInputs[] {
  const joins: CoPartitionedInputs[] = []
  for (const node of graph.nodes) {
    if (node.kind !== 'pipe') continue
    for (const operator of node.operators) {
      const others = operatorInfo(operator)?.coPartitioned ?? []
      if (others.length > 0) joins.push({ operator: operatorName(operator), sides: [sourceTopicsAbove(node.parent), ...others.map(sourceTopicsAbove)] })
    }
  }
  return joins
}

/** The topics a node's records come from, through pipes and the nodes they depend on. */
function sourceTopicsAbove(start: TopologyNode): string[] {
  const topics = new Set<string>()
  const seen = new Set<number>()
  const pending = [start]
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (seen.has(node.id)) continue
    seen.add(node.id)
    if (node.kind === 'source') for (const topic of node.topics) topics.add(topic)
    else pending.push(node.parent, ...node.dependsOn)
  }
  return [...topics]
}

/** The width a repartition topic feeding a join must have: that of the join's inputs known so far. */
function joinWidth(topic: string, joins: readonly CoPartitionedInputs[], partitionCounts: ReadonlyMap<string, number>): number | undefined {
  const widths = joins.filter((join) => join.sides.some((side) => side.includes(topic))).flatMap((join) => join.sides.flat().flatMap((input) => partitionCounts.get(input) ?? []))
  return widths.length === 0 ? undefined : Math.max(...widths)
}

/**
 * Refuses joins whose inputs are not co-partitioned: a key's records must be in the same
 * partition number on both sides, so that one task sees them all.
 */
function checkCoPartitioned(joins: readonly CoPartitionedInputs[], partitionCounts: ReadonlyMap<string, number>): void {
  for (const join of joins) {
    const widths = new Set(join.sides.flat().map((topic) => partitionCounts.get(topic)))
    if (widths.size <= 1) continue
    const described = join.sides.map((side, index) => `${index === 0 ? 'left' : 'right'}: ${side.map((topic) => `${topic} (${partitionCounts.get(topic)} partitions)`).join(', ')}`)
    throw new TopologyError(
      `${join.operator} needs co-partitioned inputs, but their topics have different partition counts (${described.join('; ')}); records of a key must be in the same partition on both sides: ` +
        `repartition the side with fewer partitions first, e.g. stream.pipe(repartition({ name, partitions: ${Math.max(...join.sides.flat().map((topic) => partitionCounts.get(topic) ?? 1))} }))`,
    )
  }
}

async function ensureChangelog(log: Log, topic: string, partitions: number): Promise<void> {
  try {
    const existing = (await log.describeTopic(topic)).partitions.length
    if (existing !== partitions) {
      throw new TopologyError(`changelog topic ${topic} has ${existing} partitions but the store has ${partitions} shards (one per input partition); input topics were resized after the state was written`)
    }
  } catch (error) {
    if (!(error instanceof UnknownTopicOrPartitionError)) throw error
    await log.createTopic(topic, { partitions, cleanup: 'compact' })
  }
}
