import { describe, expect, test } from 'vitest'
import { map } from 'rxjs'
import { App, embedded, serdes } from '../../index.js'
import { mapValues, repartition, selectKey } from '../../operators/index.js'

interface Order { region: string; total: number }
const orders = { key: serdes.string(), value: serdes.json<Order>() }

/** Web and mobile orders merged, split into big and small, the small ones re-keyed by region. */
function shopApp(): App {
  // describe() needs no log: the app is never started, so the embedded log is never opened.
  const app = new App({ id: 'shop', log: embedded({ dir: 'never-opened' }), handleSignals: false })
  const web = app.stream('web-orders', orders)
  const mobile = app.stream('mobile-orders', orders)
  const { big, small } = web.merge(mobile).branch({ big: (record) => record.value.total >= 100, small: () => true })
  big.to('big-orders', orders)
  small
    .pipe(selectKey((order) => order.region), repartition({ name: 'by-region', partitions: 4 }), mapValues((order) => order.total))
    .to('small-totals-by-region', { key: serdes.string(), value: serdes.float64() })
  return app
}

describe('describe()', () => {
  test('text: two sub-topologies split at the repartition topic, with their sources and sinks', () => {
    const { text } = shopApp().describe()
    const lines = text.split('\n')
    expect(lines.filter((line) => line.startsWith('Sub-topology '))).toEqual(['Sub-topology 0', 'Sub-topology 1'])
    const [first = '', second = ''] = text.split('Sub-topology 1')
    expect(first).toContain('Source n0: topics [web-orders] (key string, value json)')
    expect(first).toContain('Source n1: topics [mobile-orders] (key string, value json)')
    expect(first).toMatch(/Processor n\d+: merge \(from n0, n1\)/)
    expect(first).toMatch(/Processor n\d+: branch big/)
    expect(first).toMatch(/Processor n\d+: branch small/)
    expect(first).toContain('Sink: topic big-orders')
    expect(first).toContain('Sink: topic shop-by-region-repartition')
    expect(second).toContain('Source n')
    expect(second).toContain('topics [shop-by-region-repartition] (key json, value json)')
    expect(second).toMatch(/Processor n\d+: mapValues/)
    expect(second).toContain('Sink: topic small-totals-by-region')
    expect(lines).toContain('Repartition topic shop-by-region-repartition (4 partitions)')
  })

  test('mermaid: a flowchart with a subgraph per sub-topology and the topics as nodes', () => {
    const { mermaid } = shopApp().describe()
    const lines = mermaid.split('\n')
    expect(lines[0]).toBe('flowchart LR')
    expect(lines.filter((line) => line.trim().startsWith('subgraph '))).toEqual(['  subgraph sub0 [Sub-topology 0]', '  subgraph sub1 [Sub-topology 1]'])
    expect(lines.filter((line) => line.trim() === 'end')).toHaveLength(2)
    for (const topic of ['web-orders', 'mobile-orders', 'big-orders', 'shop-by-region-repartition', 'small-totals-by-region']) {
      expect(mermaid).toContain(`[/"${topic}"/]`)
    }
    expect(lines).toContain('    n0 --> n2')
    expect(lines).toContain('    n1 --> n2')
  })

  test('a standard RxJS operator appears in its place in the chain', () => {
    const app = new App({ id: 'named', log: embedded({ dir: 'never-opened' }), handleSignals: false })
    app
      .stream('in', { value: serdes.string() })
      .pipe(map((record) => record))
      .to('out', { value: serdes.string() })
    expect(app.describe().text).toContain('Processor n1: rxjs operator (from n0)')
  })
})
