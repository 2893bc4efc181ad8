import type { AnySerde } from './serde-codec.js'
import { operatorInfo, operatorName, type TopologyGraph, type TopologyNode } from './topology.js'

/** The topology of an app, as text and as a Mermaid flowchart. */
export interface TopologyDescription {
  readonly text: string
  readonly mermaid: string
}

const serdeName = (serde: AnySerde<unknown> | undefined): string => serde?.name ?? 'bytes'

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
  for (const { spec, topic } of graph.globalStores.values()) {
    // Global tables stand apart: each instance reads every partition of their topic.
    lines.push(`Global table ${spec.name}: topic ${topic} (key ${spec.key.name}, value ${spec.value.name})`)
    mermaid.push(`  g_${sanitize(spec.name)}[("${spec.name} (global, ${topic})")]`)
  }
  graph.subTopologies().forEach((nodes, index) => {
    lines.push(`Sub-topology ${index}`)
    mermaid.push(`  subgraph sub${index} [Sub-topology ${index}]`)
    for (const node of nodes) {
      if (node.kind === 'source') {
        lines.push(`  Source n${node.id}: topics [${node.topics.join(', ')}] (key ${serdeName(node.key)}, value ${serdeName(node.value)})`)
        mermaid.push(`    n${node.id}[/"${node.topics.join(', ')}"/]`)
      } else {
        const names = visibleOperators(node)
        const label = names.length > 0 ? names.join(' → ') : 'pass'
        const inputs = [node.parent, ...node.dependsOn].map((input) => `n${input.id}`).join(', ')
        lines.push(`  Processor n${node.id}: ${label} (from ${inputs})`)
        mermaid.push(`    n${node.id}["${label.replaceAll('"', "'")}"]`)
        mermaid.push(`    n${node.parent.id} --> n${node.id}`)
        for (const dependency of node.dependsOn) mermaid.push(`    n${dependency.id} --> n${node.id}`)
        for (const store of graph.storesOf(node)) {
          lines.push(`    Store: ${store.name} (${store.kind}, key ${store.key.name}, value ${store.value.name})`)
          mermaid.push(`    n${node.id} --- s_${sanitize(store.name)}[("${store.name}")]`)
        }
        for (const operator of node.operators) {
          for (const name of operatorInfo(operator)?.globalStores ?? []) {
            lines.push(`    Global store: ${name}`)
            mermaid.push(`    g_${sanitize(name)} -.-> n${node.id}`)
          }
          for (const topic of operatorInfo(operator)?.sinkTopics ?? []) {
            lines.push(`    Sink: topic ${topic}`)
            mermaid.push(`    n${node.id} --> t${node.id}_${sanitize(topic)}[/"${topic}"/]`)
          }
        }
      }
    }
    mermaid.push('  end')
  })
  for (const topic of graph.repartitionTopics) lines.push(`Repartition topic ${topic.name}${topic.partitions === undefined ? '' : ` (${topic.partitions} partitions)`}`)
  return { text: `${lines.join('\n')}\n`, mermaid: `${mermaid.join('\n')}\n` }
}

function sanitize(topic: string): string {
  return topic.replace(/[^a-zA-Z0-9_]/g, '_')
}
