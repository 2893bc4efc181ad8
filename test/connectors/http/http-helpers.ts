/**
 * Real HTTP on loopback for the connector tests: a one-shot client and a recording server whose
 * answers a test scripts.
 */
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** Sends one request on a fresh connection; resolves with the answer or rejects with the socket error. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(options.body)
  })
}

/** A request the test server received. */
export interface Received {
  /** When it arrived, ms since the epoch. */
  readonly at: number
  readonly method: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** The answer to give to a request: status, headers, body. */
export interface Answer {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Never answer (the connection stays open until the server closes). */
  readonly hang?: boolean
}

export interface TestServer {
  readonly url: string
  readonly received: Received[]
  /** Resolves once `condition` holds, checked after every request; rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** A server on 127.0.0.1 at an ephemeral port that records every request and answers with `answer` (200 by default). */
export async function startTestServer(answer: (request: Received, index: number) => Answer = () => ({ status: 200 })): Promise<TestServer> {
  const received: Received[] = []
  let waiters: { condition: () => boolean; resolve: () => void }[] = []
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const entry: Received = { at: Date.now(), method: request.method ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') }
      const index = received.push(entry) - 1
      const { status, headers = {}, body = '', hang = false } = answer(entry, index)
      if (!hang) response.writeHead(status, headers).end(body)
      waiters = waiters.filter((waiter) => {
        if (!waiter.condition()) return true
        waiter.resolve()
        return false
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    received,
    waitUntil(condition, timeoutMs = 20_000) {
      if (condition()) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms (${received.length} requests received)`)), timeoutMs)
        waiters.push({ condition, resolve: () => (clearTimeout(timer), resolve()) })
      })
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
