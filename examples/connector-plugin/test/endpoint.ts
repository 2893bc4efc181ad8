/**
 * A JSON endpoint on 127.0.0.1 for the tests: it serves the items it holds, newer than the
 * `since` query parameter when one is given, answers with a status the test sets, and records
 * each request's path and authorization header.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestEndpoint {
  readonly url: string
  /** The items served, in any order. */
  items: { id: number | string; [field: string]: unknown }[]
  /** Set to answer the next requests with this status (and Retry-After seconds) instead. */
  failWith: { status: number; retryAfterSeconds?: number } | undefined
  /** Set to answer with this raw body instead of the items. */
  rawBody: string | undefined
  readonly requests: { readonly path: string; readonly authorization: string | undefined }[]
  close(): Promise<void>
}

/** Starts an endpoint that wraps its items as `{ "data": [...] }`. */
export async function startEndpoint(): Promise<TestEndpoint> {
  const endpoint = { items: [], failWith: undefined, rawBody: undefined, requests: [] } as unknown as TestEndpoint & { requests: TestEndpoint['requests'][number][] }
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    endpoint.requests.push({ path: `${url.pathname}${url.search}`, authorization: request.headers.authorization })
    if (endpoint.failWith !== undefined) {
      const headers = endpoint.failWith.retryAfterSeconds === undefined ? {} : { 'retry-after': String(endpoint.failWith.retryAfterSeconds) }
      response.writeHead(endpoint.failWith.status, headers).end('{"error":"no"}')
      return
    }
    if (endpoint.rawBody !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(endpoint.rawBody)
      return
    }
    const since = url.searchParams.get('since')
    const items = endpoint.items.filter((item) => since === null || String(item.id) > since || (typeof item.id === 'number' && item.id > Number(since)))
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: items }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}/orders`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
  server.keepAliveTimeout = 1
  return endpoint
}
