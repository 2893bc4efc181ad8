import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AppMetrics } from '../runtime/app-metrics.js'
import { isLive, isReady, type AppState } from '../runtime/app-state.js'
import type { TopologyDescription } from '../runtime/describe.js'
import { dashboardPage } from './dashboard-page.js'
import { DashboardFeed } from './dashboard-feed.js'
import type { ResolvedObserveOptions } from './observe-options.js'
import { PrometheusExposition } from './prometheus.js'

/** What the server needs of an app. */
export interface ObservedApp {
  readonly id: string
  readonly state: AppState
  describe(): TopologyDescription
  measuredMetrics(): Promise<AppMetrics>
}

/** A running observe server. */
export interface ObserveServer {
  address(): { readonly host: string; readonly port: number; readonly url: string }
  close(): Promise<void>
}

/**
 * Serves an app's metrics in the Prometheus text format (`/metrics`), its health
 * (`/health/live`: 200 unless ERROR or NOT_RUNNING; `/health/ready`: 200 when RUNNING; 503
 * otherwise; both with `{"state": ...}`) and, with `dashboard`, a live page at `/` fed by
 * server-sent events at `/events` (a snapshot a second). Apps start it themselves with
 * `AppOptions.observe`; the `tributary` command may start it beside an app it runs.
 *
 * @example
 * const server = await startObserveServer(app, { port: 9464, host: '127.0.0.1', dashboard: true })
 * console.log(`dashboard at ${server.address().url}`)
 */
export async function startObserveServer(app: ObservedApp, options: ResolvedObserveOptions): Promise<ObserveServer> {
  const exposition = new PrometheusExposition(app.id)
  const feed = options.dashboard ? new DashboardFeed(app) : undefined
  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      response.end(`${(error as Error).message ?? String(error)}\n`)
    })
  })

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (path === '/metrics') {
      const text = await exposition.render(await app.measuredMetrics())
      response.writeHead(200, { 'content-type': exposition.contentType }).end(text)
    } else if (path === '/health/live' || path === '/health/ready') {
      const state = app.state
      const healthy = path === '/health/live' ? isLive(state) : isReady(state)
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify({ app: app.id, state })}\n`)
    } else if (feed !== undefined && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(dashboardPage(app.id))
    } else if (feed !== undefined && path === '/events') {
      feed.subscribe(request, response)
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  feed?.start()
  const bound = server.address() as AddressInfo
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
  return {
    address: () => ({ host: bound.address, port: bound.port, url: `http://${host}:${bound.port}` }),
    close: async () => {
      feed?.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
