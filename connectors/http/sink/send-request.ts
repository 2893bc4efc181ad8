import http from 'node:http'
import https from 'node:https'
import type { Clock } from '../../../core/clock.js'

/** One request of the sink: everything but the body is fixed per sink. */
export interface RequestSpec {
  readonly url: URL
  readonly method: 'POST' | 'PUT'
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeoutMs: number
  readonly agent: http.Agent
  readonly clock: Clock
}

/** What came back: a status (any), or why nothing did. */
export type RequestOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly body: string; readonly retryAfter: string | undefined }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly message: string }

/** How much of a response body is kept: enough for an error message. */
const KEPT_BODY_BYTES = 4096

/**
 * Sends one request and reads its answer, never throwing: a response of any status, a timeout
 * (the whole exchange took longer than `timeoutMs`), or a network failure. Only the first 4 KiB
 * of a response body are kept. A stop does not cut a request short: the runner's last flush at
 * a stop must be able to finish, and `timeoutMs` bounds it.
 *
 * @example
 * const outcome = await sendRequest({ url, method: 'POST', headers, body, timeoutMs: 30_000, agent, clock })
 * if (outcome.kind === 'response' && outcome.status < 300) …
 */
export function sendRequest(spec: RequestSpec): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    let settled = false
    const settle = (outcome: RequestOutcome): void => {
      if (settled) return
      settled = true
      spec.clock.clearTimeout(timer)
      if (outcome.kind !== 'response') request.destroy()
      resolve(outcome)
    }
    const client = spec.url.protocol === 'https:' ? https : http
    const request = client.request(spec.url, { method: spec.method, headers: { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) }, agent: spec.agent }, (response) => {
      const chunks: Buffer[] = []
      let kept = 0
      response.on('data', (chunk: Buffer) => {
        if (kept < KEPT_BODY_BYTES) chunks.push(chunk.subarray(0, KEPT_BODY_BYTES - kept))
        kept += chunk.length
      })
      response.on('end', () => {
        const retryAfter = response.headers['retry-after']
        settle({ kind: 'response', status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter })
      })
      response.on('error', (error) => settle({ kind: 'network', message: error.message }))
    })
    const timer = spec.clock.setTimeout(() => settle({ kind: 'timeout' }), spec.timeoutMs)
    request.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'network', message: error.code ?? error.message }))
    request.end(spec.body)
  })
}
