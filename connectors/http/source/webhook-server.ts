import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ConfigOf } from '../../api/config-schema.js'
import type { ConnectorLogger, ConnectorMetrics } from '../../api/types.js'
import { bearerMatches } from './bearer.js'
import type { httpSourceConfig } from './config.js'
import { parseBody } from './parse-body.js'
import type { PendingQueue } from './pending-queue.js'
import { readBody } from './read-body.js'

/** What the webhook server needs from the task that owns it. */
export interface WebhookDeps {
  readonly config: ConfigOf<typeof httpSourceConfig>
  readonly queue: PendingQueue
  readonly logger: ConnectorLogger
  readonly metrics: ConnectorMetrics
  readonly now: () => number
}

/** A listening webhook server. */
export interface WebhookServer {
  readonly port: number
  /** New requests are answered 503 from now on. */
  stopAccepting(): void
  /** Answers every open request 503 that has no answer yet, closes every connection and the listener. */
  close(): Promise<void>
}

/**
 * Starts the webhook's HTTP server: checks path, method, token and size, parses the body, holds
 * the request in the queue and answers it 200 only once its records are durable in the log
 * (429 with Retry-After when the queue is full, 400 for a body that is not in the format).
 *
 * @example
 * const server = await startWebhookServer({ config, queue, logger, metrics, now: () => clock.now() })
 * console.log(server.port)
 */
export async function startWebhookServer(deps: WebhookDeps): Promise<WebhookServer> {
  let accepting = true
  const open = new Set<ServerResponse>()
  const server = http.createServer((request, response) => {
    open.add(response)
    response.on('close', () => open.delete(response))
    handle(request, response, deps, () => accepting).catch((error: unknown) => {
      deps.logger.error('webhook request failed', { error: (error as Error).message })
      reply(response, 500, { error: 'internal error' })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(deps.config.port, deps.config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    stopAccepting: () => {
      accepting = false
    },
    async close() {
      accepting = false
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      const answered = [...open].map((response) => new Promise<void>((resolve) => {
        if (response.writableFinished || response.destroyed) resolve()
        else response.once('close', () => resolve())
        if (!response.headersSent) reply(response, 503, { error: 'the connector is stopping; send again' }, retryAfterHeader(deps))
      }))
      await Promise.all(answered)
      server.closeAllConnections()
      await closed
    },
  }
}

async function handle(request: IncomingMessage, response: ServerResponse, deps: WebhookDeps, accepting: () => boolean): Promise<void> {
  const { config, queue, metrics } = deps
  const path = (request.url ?? '/').split('?')[0]
  if (path !== config.path) return reply(response, 404, { error: `no webhook at ${path}; it is at ${config.path}` }, { connection: 'close' })
  if (request.method !== 'POST') return reply(response, 405, { error: 'send records with POST' }, { allow: 'POST', connection: 'close' })
  if (config.token !== undefined && !bearerMatches(request.headers.authorization, config.token)) {
    metrics.count('unauthorized')
    return reply(response, 401, { error: 'a valid bearer token is required' }, { 'www-authenticate': 'Bearer', connection: 'close' })
  }
  if (!accepting()) return reply(response, 503, { error: 'the connector is stopping; send again' }, { ...retryAfterHeader(deps), connection: 'close' })
  if (queue.full) return tooManyRequests(response, deps)
  const outcome = await readBody(request, config.maxBodyBytes)
  if (outcome.kind === 'aborted') return
  if (outcome.kind === 'too-large') {
    metrics.count('bodiesTooLarge')
    return reply(response, 413, { error: `the body is larger than maxBodyBytes (${config.maxBodyBytes} bytes)` }, { connection: 'close' })
  }
  const keyHeader = config.keyHeader === undefined ? undefined : request.headers[config.keyHeader.toLowerCase()]
  const parsed = parseBody(outcome.body, config, typeof keyHeader === 'string' ? keyHeader : null, deps.now())
  if (!parsed.ok) {
    metrics.count('malformedBodies')
    deps.logger.warn('webhook body refused', { problem: parsed.problem, bytes: outcome.body.length })
    return reply(response, 400, { error: parsed.problem })
  }
  if (parsed.records.length > config.maxQueuedRecords) {
    return reply(response, 413, { error: `the body holds ${parsed.records.length} records, more than maxQueuedRecords (${config.maxQueuedRecords})` })
  }
  if (parsed.records.length === 0) return reply(response, 200, { records: 0 })
  if (!accepting()) return reply(response, 503, { error: 'the connector is stopping; send again' }, { ...retryAfterHeader(deps), connection: 'close' })
  const settled = queue.offer(parsed.records)
  if (settled === undefined) return tooManyRequests(response, deps)
  const settlement = await settled
  if (settlement.durable) reply(response, 200, { records: settlement.records })
  else reply(response, 503, { error: `${settlement.reason}; the records may not be stored, send again` }, { ...retryAfterHeader(deps), connection: 'close' })
}

function tooManyRequests(response: ServerResponse, deps: WebhookDeps): void {
  deps.metrics.count('throttled')
  reply(response, 429, { error: `the connector holds ${deps.queue.size} records not yet in the log (maxQueuedRecords ${deps.config.maxQueuedRecords}); send again later` }, { ...retryAfterHeader(deps), connection: 'close' })
}

function retryAfterHeader(deps: WebhookDeps): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(deps.config.retryAfter / 1000))) }
}

function reply(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  response.end(text)
}
