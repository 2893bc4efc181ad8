import type { AnySerde } from './serde-codec.js'
import { operatorInfo, operatorName, type TopologyGraph, type TopologyNode } from './topology.js'

/** The topology of an app, as text, as a Mermaid flowchart, and as nodes and edges (for pictures). */
export interface TopologyDescription {
  readonly text: string
  readonly mermaid: string
  readonly graph: TopologyPicture
}

/** A node of the topology picture: a source, a processor (a chain of operators), a sink topic or a store. */
export interface TopologyPictureNode {
  /** `n3` for sources and processors (as in `text`), `t3_words` for a sink topic, `s_counts` for a store. */
  readonly id: string
  readonly kind: 'source' | 'processor' | 'sink' | 'store'
  readonly label: string
  /** The sub-topology it belongs to (-1: a global table). */
  readonly subTopology: number
}

export interface TopologyPicture {
  readonly nodes: readonly TopologyPictureNode[]
  readonly edges: readonly { readonly from: string; readonly to: string }[]
}

const serdeName = (serde: AnySerde<unknown> | undefined): string => serde?.name ?? 'bytes'

/**
 * What a node is called in descriptions: its topics for a source, its visible operators
 * (`flatMap → filter`) for a processor.
 *
 * @example
 * nodeLabel(node) // 'flatMap → filter → selectKey'
 */
export function nodeLabel(node: TopologyNode): string {
  if (node.kind === 'source') return node.topics.join(', ')
  const names = visibleOperators(node)
  return names.length > 0 ? names.join(' → ') : 'pass'
}

function visibleOperators(node: TopologyNode): string[] {
  if (node.kind !== 'pipe') return []
  return node.operators.filter((operator) => !operatorInfo(operator)?.hidden).map(operatorName)
}

/**
 * Describes the declared graph: its sub-topologies, each with its sources, operator chains and
 * sinks, the way Kafka Streams' `Topology.describe()` does.
 *
 * @example
 * console.log(describeTopology(graph).text)
 */
export function describeTopology(graph: TopologyGraph): TopologyDescription {
  const lines: string[] = []
  const mermaid: string[] = ['flowchart LR']
  const pictureNodes: TopologyPictureNode[] = []
  const edges: { from: string; to: string }[] = []
  for (const { spec, topic } of graph.globalStores.values()) {
    // Global tables stand apart: each instance reads every partition of their topic.
    lines.push(`Global table ${spec.name}: topic ${topic} (key ${spec.key.name}, value ${spec.value.name})`)
    mermaid.push(`  g_${sanitize(spec.name)}[("${spec.name} (global, ${topic})")]`)
    pictureNodes.push({ id: `g_${sanitize(spec.name)}`, kind: 'store', label: `${spec.name} (global, ${topic})`, subTopology: -1 })
  }
  graph.subTopologies().forEach((nodes, index) => {
    lines.push(`Sub-topology ${index}`)
    mermaid.push(`  subgraph sub${index} [Sub-topology ${index}]`)
    for (const node of nodes) {
      if (node.kind === 'source') {
        lines.push(`  Source n${node.id}: topics [${node.topics.join(', ')}] (key ${serdeName(node.key)}, value ${serdeName(node.value)})`)
        mermaid.push(`    n${node.id}[/"${node.topics.join(', ')}"/]`)
        pictureNodes.push({ id: `n${node.id}`, kind: 'source', label: nodeLabel(node), subTopology: index })
      } else {
        const label = nodeLabel(node)
        pictureNodes.push({ id: `n${node.id}`, kind: 'processor', label, subTopology: index })
        for (const input of [node.parent, ...node.dependsOn]) edges.push({ from: `n${input.id}`, to: `n${node.id}` })
        const inputs = [node.parent, ...node.dependsOn].map((input) => `n${input.id}`).join(', ')
        lines.push(`  Processor n${node.id}: ${label} (from ${inputs})`)
        mermaid.push(`    n${node.id}["${label.replaceAll('"', "'")}"]`)
        mermaid.push(`    n${node.parent.id} --> n${node.id}`)
        for (const dependency of node.dependsOn) mermaid.push(`    n${dependency.id} --> n${node.id}`)
        for (const store of graph.storesOf(node)) {
          lines.push(`    Store: ${store.name} (${store.kind}, key ${store.key.name}, value ${store.value.name})`)
          mermaid.push(`    n${node.id} --- s_${sanitize(store.name)}[("${store.name}")]`)
          pictureNodes.push({ id: `s_${sanitize(store.name)}`, kind: 'store', label: store.name, subTopology: index })
          edges.push({ from: `n${node.id}`, to: `s_${sanitize(store.name)}` })
        }
        for (const operator of node.operators) {
          for (const name of operatorInfo(operator)?.globalStores ?? []) {
            lines.push(`    Global store: ${name}`)
            mermaid.push(`    g_${sanitize(name)} -.-> n${node.id}`)
            edges.push({ from: `g_${sanitize(name)}`, to: `n${node.id}` })
          }
          for (const topic of operatorInfo(operator)?.sinkTopics ?? []) {
            lines.push(`    Sink: topic ${topic}`)
            mermaid.push(`    n${node.id} --> t${node.id}_${sanitize(topic)}[/"${topic}"/]`)
            pictureNodes.push({ id: `t${node.id}_${sanitize(topic)}`, kind: 'sink', label: topic, subTopology: index })
            edges.push({ from: `n${node.id}`, to: `t${node.id}_${sanitize(topic)}` })
          }
        }
      }
    }
    mermaid.push('  end')
  })
  // A topic the app writes and reads again (a repartition topic) links its sub-topologies.
  for (const sink of pictureNodes.filter((candidate) => candidate.kind === 'sink')) {
    for (const node of graph.nodes) if (node.kind === 'source' && node.topics.includes(sink.label)) edges.push({ from: sink.id, to: `n${node.id}` })
  }
  for (const topic of graph.repartitionTopics) lines.push(`Repartition topic ${topic.name}${topic.partitions === undefined ? '' : ` (${topic.partitions} partitions)`}`)
  return { text: `${lines.join('\n')}\n`, mermaid: `${mermaid.join('\n')}\n`, graph: { nodes: pictureNodes, edges } }
}

function sanitize(topic: string): string {
  return topic.replace(/[^a-zA-Z0-9_]/g, '_')
}
