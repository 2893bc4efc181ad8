/** What a node of a topology drawing stands for. */
export type TopologyNodeKind = 'topic' | 'processor' | 'store'

export interface DrawnNode {
  readonly id: string
  readonly label: string
  readonly kind: TopologyNodeKind
}

/** `flow` carries records; `store` ties a processor to its store; `global` feeds a global store in. */
export interface DrawnEdge {
  readonly from: string
  readonly to: string
  readonly kind: 'flow' | 'store' | 'global'
}

export interface TopologyDrawingGraph {
  readonly nodes: readonly DrawnNode[]
  readonly edges: readonly DrawnEdge[]
}

/** `id[/"label"/]` a topic, `id["label"]` a processor, `id[("label")]` a store. */
const NODE = /^([A-Za-z0-9_]+)(\[\/"(.*)"\/\]|\["(.*)"\]|\[\("(.*)"\)\])$/
const EDGE = /^(\S+) (-->|---|-\.->) (.+)$/

/**
 * Reads the Mermaid flowchart of `app.describe().mermaid` back into nodes and edges, for drawing
 * without Mermaid. A topic appears once however many sub-topologies write or read it, so a
 * repartition topic joins the sub-topology that writes it to the one that reads it.
 *
 * @example
 * topologyGraphFromMermaid('flowchart LR\n  n0[/"lines"/]\n  n1["flatMap"]\n  n0 --> n1\n')
 * // { nodes: [{ id: 'n0', label: 'lines', kind: 'topic' }, { id: 'n1', label: 'flatMap', kind: 'processor' }],
 * //   edges: [{ from: 'n0', to: 'n1', kind: 'flow' }] }
 */
export function topologyGraphFromMermaid(mermaid: string): TopologyDrawingGraph {
  const nodes = new Map<string, DrawnNode>()
  /** Each Mermaid id to the id of the node drawn for it (one node per topic name). */
  const canonical = new Map<string, string>()
  const topicIds = new Map<string, string>()
  const edges: DrawnEdge[] = []

  const declare = (text: string): string => {
    const match = NODE.exec(text)
    if (match === null) return text
    const [, id = '', , topic, processor, store] = match
    if (topic !== undefined) {
      const known = topicIds.get(topic)
      if (known !== undefined) {
        canonical.set(id, known)
        return known
      }
      topicIds.set(topic, id)
    }
    canonical.set(id, id)
    const kind: TopologyNodeKind = topic !== undefined ? 'topic' : store !== undefined ? 'store' : 'processor'
    if (!nodes.has(id)) nodes.set(id, { id, label: topic ?? processor ?? store ?? id, kind })
    return id
  }

  for (const raw of mermaid.split('\n')) {
    const line = raw.trim()
    if (line === '' || line === 'end' || line.startsWith('flowchart') || line.startsWith('subgraph')) continue
    const edge = EDGE.exec(line)
    if (edge === null) {
      declare(line)
      continue
    }
    const [, fromText = '', arrow, toText = ''] = edge
    const from = declare(fromText)
    const to = declare(toText)
    edges.push({ from, to, kind: arrow === '---' ? 'store' : arrow === '-.->' ? 'global' : 'flow' })
  }
  // An edge may name a node before its declaration: resolve ids once all are known.
  const resolved = (id: string): string => canonical.get(id) ?? id
  return { nodes: [...nodes.values()], edges: edges.map((edge) => ({ ...edge, from: resolved(edge.from), to: resolved(edge.to) })) }
}
