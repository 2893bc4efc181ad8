import { UnknownTopicOrPartitionError } from '../log/errors.js'
import type { Log } from '../log/types.js'
import type { ErrorPolicy } from './app-options.js'
import { TopologyError } from './errors.js'
import { changelogTopic, type StoreSpec } from '../../state/store-spec.js'
import { operatorInfo, type SourceNode, type TopologyGraph, type TopologyNode } from './topology.js'

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
 * TopologyError names those missing), creates missing repartition topics (by default as wide
 * as the widest input of the sub-topology writing them) and the stores' compacted changelog
 * topics, and splits the graph into sub-topologies.
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
  for (const topic of graph.repartitionTopics) {
    // By default as wide as the widest input of the sub-topology that writes it.
    const writer = groups.find((nodes) => nodes.some((node) => node.kind === 'pipe' && node.operators.some((op) => operatorInfo(op)?.sinkTopics?.includes(topic.name))))
    const inputs = (writer ?? []).flatMap((node) => (node.kind === 'source' ? node.topics : []))
    const partitions = topic.partitions ?? Math.max(1, ...inputs.map((input) => partitionCounts.get(input) ?? 1))
    try {
      partitionCounts.set(topic.name, (await log.describeTopic(topic.name)).partitions.length)
    } catch (error) {
      if (!(error instanceof UnknownTopicOrPartitionError)) throw error
      await log.createTopic(topic.name, { partitions })
      partitionCounts.set(topic.name, partitions)
    }
  }
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
