import { UnknownTopicOrPartitionError } from '../log/errors.js'
import type { Log } from '../log/types.js'
import type { ErrorPolicy } from './app-options.js'
import { TopologyError } from './errors.js'
import { operatorInfo, type SourceNode, type TopologyGraph, type TopologyNode } from './topology.js'

/** A connected part of the graph between repartition topics: one task per partition runs it. */
export interface SubTopology {
  readonly index: number
  readonly sources: readonly SourceNode[]
  readonly leaves: readonly TopologyNode[]
}

/**
 * Readies the log for an app: checks that its source and dead-letter topics exist (a
 * TopologyError names those missing), creates missing repartition topics (by default as wide
 * as the widest input of the sub-topology writing them), and splits the graph into
 * sub-topologies.
 *
 * @example
 * const subTopologies = await prepareTopics(log, builder.graph, [onDeserializationError, onProcessingError])
 */
export async function prepareTopics(log: Log, graph: TopologyGraph, policies: readonly ErrorPolicy[]): Promise<SubTopology[]> {
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
  return groups.map((nodes, index) => ({
    index,
    sources: nodes.filter((node): node is SourceNode => node.kind === 'source'),
    leaves: nodes.filter((node) => leaves.has(node)),
  }))
}
