import type { DrawnEdge, DrawnNode, TopologyDrawingGraph } from './topology-graph.js'

/** Sizes in SVG pixels; labels are monospace, so their width follows from their length. */
const CHAR_WIDTH = 7.2
const LINE_HEIGHT = 16
const PADDING = 12
const MIN_NODE_WIDTH = 80
const MAX_LINE_CHARS = 32
const LAYER_GAP = 70
const NODE_GAP = 26
const MARGIN = 20

interface PlacedNode extends DrawnNode {
  readonly lines: readonly string[]
  readonly width: number
  readonly height: number
  x: number
  y: number
}

const STYLE: Record<DrawnNode['kind'], { fill: string; stroke: string }> = {
  topic: { fill: '#e8f0fe', stroke: '#4a6fa5' },
  processor: { fill: '#fff5e0', stroke: '#b07d1c' },
  store: { fill: '#eaf7ea', stroke: '#3d8b3d' },
}

/**
 * Draws a topology as a standalone SVG: a layered layout from left to right (each node one
 * layer after the furthest node that feeds it), topics as parallelograms, processors as boxes,
 * stores as cylinders; record flow as arrows, a processor's store as a dashed line.
 *
 * @example
 * const svg = topologySvg(topologyGraphFromMermaid(app.describe().mermaid))
 */
export function topologySvg(graph: TopologyDrawingGraph): string {
  const placed = layout(graph)
  const byId = new Map(placed.map((node) => [node.id, node]))
  const width = Math.max(MIN_NODE_WIDTH, ...placed.map((node) => node.x + node.width)) + MARGIN
  const height = Math.max(LINE_HEIGHT, ...placed.map((node) => node.y + node.height)) + MARGIN
  const edges = graph.edges.map((edge) => drawEdge(edge, byId)).join('\n')
  const nodes = placed.map(drawNode).join('\n')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    edges,
    nodes,
    '</svg>',
  ].join('\n')
}

function layout(graph: TopologyDrawingGraph): PlacedNode[] {
  const layers = layerOf(graph)
  const placed = graph.nodes.map((node): PlacedNode => {
    const lines = wrapLabel(node.label)
    const width = Math.max(MIN_NODE_WIDTH, Math.ceil(Math.max(...lines.map((line) => line.length)) * CHAR_WIDTH) + 2 * PADDING)
    return { ...node, lines, width, height: lines.length * LINE_HEIGHT + PADDING, x: 0, y: 0 }
  })
  const columns: PlacedNode[][] = []
  for (const node of placed) (columns[layers.get(node.id) ?? 0] ??= []).push(node)
  const rank = new Map<string, number>()
  let x = MARGIN
  for (const column of columns) {
    if (column === undefined) continue
    // Order each column by where its inputs sit, so arrows cross as little as a single pass can.
    const centre = (node: PlacedNode): number => {
      const inputs = graph.edges.filter((edge) => edge.to === node.id && rank.has(edge.from)).map((edge) => rank.get(edge.from) ?? 0)
      return inputs.length === 0 ? Number.MAX_SAFE_INTEGER : inputs.reduce((sum, value) => sum + value, 0) / inputs.length
    }
    const order = new Map(column.map((node, index) => [node, [centre(node), index] as const]))
    column.sort((a, b) => (order.get(a)?.[0] ?? 0) - (order.get(b)?.[0] ?? 0) || (order.get(a)?.[1] ?? 0) - (order.get(b)?.[1] ?? 0))
    let y = MARGIN
    for (const node of column) {
      node.x = x
      node.y = y
      rank.set(node.id, y + node.height / 2)
      y += node.height + NODE_GAP
    }
    x += Math.max(...column.map((node) => node.width)) + LAYER_GAP
  }
  return placed
}

/** Longest path from the inputs; a cycle (an app reading its own output) stops growing after as many rounds as there are nodes. */
function layerOf(graph: TopologyDrawingGraph): Map<string, number> {
  const layer = new Map(graph.nodes.map((node) => [node.id, 0]))
  for (let round = 0; round < graph.nodes.length; round++) {
    let changed = false
    for (const { from, to } of graph.edges) {
      const next = (layer.get(from) ?? 0) + 1
      if (next > (layer.get(to) ?? 0) && next < graph.nodes.length) {
        layer.set(to, next)
        changed = true
      }
    }
    if (!changed) break
  }
  // An input topic sits just before its first reader, so that its arrow does not run across other columns.
  for (const node of graph.nodes) {
    if (graph.edges.some((edge) => edge.to === node.id)) continue
    const readers = graph.edges.filter((edge) => edge.from === node.id).map((edge) => layer.get(edge.to) ?? 1)
    if (readers.length > 0) layer.set(node.id, Math.max(0, Math.min(...readers) - 1))
  }
  return layer
}

/** Splits a label at its operator arrows, then at spaces, into lines of at most MAX_LINE_CHARS where it can. */
function wrapLabel(label: string): string[] {
  const lines: string[] = []
  for (const part of label.split(' → ').map((piece, index) => (index === 0 ? piece : `→ ${piece}`))) {
    let line = ''
    for (const word of part.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > MAX_LINE_CHARS) {
        lines.push(line)
        line = word
      } else {
        line = line === '' ? word : `${line} ${word}`
      }
    }
    lines.push(line)
  }
  return lines
}

function drawNode(node: PlacedNode): string {
  const { fill, stroke } = STYLE[node.kind]
  const { x, y, width: w, height: h } = node
  const shape =
    node.kind === 'topic'
      ? `<polygon points="${x + 8},${y} ${x + w},${y} ${x + w - 8},${y + h} ${x},${y + h}" fill="${fill}" stroke="${stroke}"/>`
      : node.kind === 'store'
        ? `<path d="M${x},${y + 5} a${w / 2},5 0 0,0 ${w},0 a${w / 2},5 0 0,0 ${-w},0 v${h - 5} a${w / 2},5 0 0,0 ${w},0 v${-(h - 5)}" fill="${fill}" stroke="${stroke}"/>`
        : `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6" fill="${fill}" stroke="${stroke}"/>`
  const text = node.lines
    .map((line, index) => `<text x="${x + w / 2}" y="${y + PADDING / 2 + (index + 0.75) * LINE_HEIGHT + (node.kind === 'store' ? 3 : 0)}" text-anchor="middle">${escapeXml(line)}</text>`)
    .join('')
  return `<g class="node ${node.kind}" data-id="${escapeXml(node.id)}"><title>${escapeXml(node.label)}</title>${shape}${text}</g>`
}

function drawEdge(edge: DrawnEdge, nodes: ReadonlyMap<string, PlacedNode>): string {
  const from = nodes.get(edge.from)
  const to = nodes.get(edge.to)
  if (from === undefined || to === undefined) return ''
  const [x1, y1] = [from.x + from.width, from.y + from.height / 2]
  const [x2, y2] = [to.x, to.y + to.height / 2]
  const bend = Math.max(30, Math.abs(x2 - x1) / 2)
  const path = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`
  const look = edge.kind === 'store' ? 'stroke-dasharray="4 3"' : edge.kind === 'global' ? 'stroke-dasharray="1 3" marker-end="url(#arrow)"' : 'marker-end="url(#arrow)"'
  return `<path class="edge ${edge.kind}" d="${path}" fill="none" stroke="#555" ${look}/>`
}

/**
 * Escapes text for XML and HTML content and attribute values.
 *
 * @example
 * escapeXml('a < b & "c"') // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}
