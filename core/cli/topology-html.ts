import type { TopologyDescription } from '../runtime/describe.js'
import { topologyGraphFromMermaid } from './topology-graph.js'
import { escapeXml, topologySvg } from './topology-svg.js'

/**
 * A standalone HTML page of a topology: the graph drawn as inline SVG (no script, no network, so
 * it opens offline and in any mail or CI artifact viewer), the text description under it, and
 * the Mermaid source to paste where Mermaid renders.
 *
 * @example
 * fs.writeFileSync('wordcount-topology.html', topologyPage('wordcount', app.describe()))
 */
export function topologyPage(title: string, description: TopologyDescription): string {
  const svg = topologySvg(topologyGraphFromMermaid(description.mermaid))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Topology of ${escapeXml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
  h1 { font-size: 1.3rem; }
  .graph { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem; background: #fcfcfc; }
  .legend span { display: inline-block; margin-right: 1.2rem; }
  .legend i { display: inline-block; width: 0.9rem; height: 0.9rem; margin-right: 0.3rem; vertical-align: -0.1rem; border: 1px solid; }
  pre { background: #f5f5f5; padding: 0.8rem; border-radius: 6px; overflow-x: auto; }
</style>
</head>
<body>
<h1>Topology of ${escapeXml(title)}</h1>
<p class="legend"><span><i style="background:#e8f0fe;border-color:#4a6fa5"></i>topic</span><span><i style="background:#fff5e0;border-color:#b07d1c"></i>processor</span><span><i style="background:#eaf7ea;border-color:#3d8b3d"></i>state store</span></p>
<div class="graph">
${svg}
</div>
<h2>Description</h2>
<pre class="description">${escapeXml(description.text)}</pre>
<details>
<summary>Mermaid source</summary>
<pre class="mermaid-source">${escapeXml(description.mermaid)}</pre>
</details>
</body>
</html>
`
}
