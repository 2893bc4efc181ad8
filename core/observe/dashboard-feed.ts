import type http from 'node:http'
import type { AppMetrics } from '../runtime/app-metrics.js'
import type { AppState } from '../runtime/app-state.js'
import type { TopologyDescription } from '../runtime/describe.js'

/** How often the dashboard gets a snapshot. */
const TICK_MS = 1_000
/** Points of the throughput chart kept: five minutes. */
const HISTORY_POINTS = 300

/** What the feed needs of an app. */
export interface FedApp {
  readonly id: string
  readonly state: AppState
  describe(): TopologyDescription
  measuredMetrics(): Promise<AppMetrics>
}

/** Records through one node of the picture, all tasks together. */
export interface NodeFigures {
  in: number
  out: number
  inPerSecond: number
  outPerSecond: number
}

/** One point of the throughput chart. */
export interface ThroughputPoint {
  readonly time: number
  readonly inPerSecond: number
  readonly outPerSecond: number
}

/** What the page gets every second (`event: tick`). */
export interface DashboardTick {
  readonly time: number
  readonly state: AppState
  readonly point: ThroughputPoint
  readonly nodes: Readonly<Record<string, NodeFigures>>
  readonly metrics: AppMetrics
}

/**
 * The dashboard's live data: once a second it takes the app's metrics, works out rates against
 * the previous second (per node of the topology and for the app), keeps five minutes of
 * throughput for the chart, and sends a tick to every page connected by server-sent events. A
 * page that connects first gets the topology and the history (`event: hello`).
 *
 * @example
 * const feed = new DashboardFeed(app)
 * feed.start()
 * feed.subscribe(request, response) // in the handler of GET /events
 */
export class DashboardFeed {
  private readonly clients = new Set<http.ServerResponse>()
  private readonly history: ThroughputPoint[] = []
  private previous: { readonly time: number; readonly metrics: AppMetrics } | undefined
  private latest: DashboardTick | undefined
  private timer: NodeJS.Timeout | undefined
  private ticking = false

  constructor(private readonly app: FedApp) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS)
    this.timer.unref()
    void this.tick()
  }

  stop(): void {
    clearInterval(this.timer)
    for (const client of this.clients) client.end()
    this.clients.clear()
  }

  /** Keeps a page's event stream open and sends it the topology, the history and the latest tick. */
  subscribe(request: http.IncomingMessage, response: http.ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    const hello = { app: this.app.id, graph: this.app.describe().graph, history: this.history }
    response.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`)
    if (this.latest !== undefined) response.write(`event: tick\ndata: ${JSON.stringify(this.latest)}\n\n`)
    this.clients.add(response)
    request.on('close', () => this.clients.delete(response))
  }

  private async tick(): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      const metrics = await this.app.measuredMetrics()
      const time = Date.now()
      const seconds = this.previous === undefined ? 0 : (time - this.previous.time) / 1000
      const rate = (now: number, before: number): number => (seconds > 0 ? Math.max(0, now - before) / seconds : 0)
      const nodes = sumByNode(metrics)
      const before = this.previous === undefined ? {} : sumByNode(this.previous.metrics)
      for (const [id, figures] of Object.entries(nodes)) {
        figures.inPerSecond = rate(figures.in, before[id]?.in ?? figures.in)
        figures.outPerSecond = rate(figures.out, before[id]?.out ?? figures.out)
      }
      const point = {
        time,
        inPerSecond: rate(metrics.recordsIn, this.previous?.metrics.recordsIn ?? metrics.recordsIn),
        outPerSecond: rate(metrics.recordsOut, this.previous?.metrics.recordsOut ?? metrics.recordsOut),
      }
      this.previous = { time, metrics }
      this.history.push(point)
      if (this.history.length > HISTORY_POINTS) this.history.shift()
      this.latest = { time, state: this.app.state, point, nodes, metrics }
      const message = `event: tick\ndata: ${JSON.stringify(this.latest)}\n\n`
      for (const client of this.clients) client.write(message)
    } catch {
      // The app is stopping (its stores closing): the next tick, if any, tries again.
    } finally {
      this.ticking = false
    }
  }
}

/** Records per node id of the picture, summed over the tasks running it. */
function sumByNode(metrics: AppMetrics): Record<string, NodeFigures> {
  const nodes: Record<string, NodeFigures> = {}
  for (const operator of metrics.operators) {
    const figures = (nodes[operator.operator] ??= { in: 0, out: 0, inPerSecond: 0, outPerSecond: 0 })
    figures.in += operator.recordsIn
    figures.out += operator.recordsOut
  }
  return nodes
}
