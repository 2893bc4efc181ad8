import type { Clock } from 'tributary'
import type { Secret } from 'tributary/connectors'
import { EndpointError, retryAfterMs } from './endpoint-error.js'

/** What a GET gave: the parsed body, or the text when it is not JSON. */
export type FetchResult = { readonly json: unknown } | { readonly text: string; readonly error: Error }

/**
 * GETs `url` with a bearer token, giving up after `timeoutMs` on the connector's clock or when
 * `signal` aborts. An error status or no answer is an EndpointError (retriable or not, by
 * status); a body that is not JSON comes back as text, for the dead-letter topic.
 *
 * @example
 * const result = await fetchJson(new URL('https://api.example.com/orders'), { connector: 'orders-api', token, timeoutMs: 10_000, clock, signal })
 */
export async function fetchJson(
  url: URL,
  options: { readonly connector: string; readonly token: Secret | undefined; readonly timeoutMs: number; readonly clock: Clock; readonly signal: AbortSignal },
): Promise<FetchResult> {
  const controller = new AbortController()
  const onAbort = (): void => controller.abort()
  options.signal.addEventListener('abort', onAbort, { once: true })
  const timer = options.clock.setTimeout(() => controller.abort(), options.timeoutMs)
  const where = `GET ${url.origin}${url.pathname}` // no query string: it may carry a cursor, never a secret, but keep lines short
  try {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token.reveal()}`
    let response: Response
    try {
      response = await fetch(url, { headers, signal: controller.signal })
    } catch (cause) {
      const reason = controller.signal.aborted && !options.signal.aborted ? `no answer within ${options.timeoutMs} ms` : (cause as Error).message
      throw new EndpointError(options.connector, `${where} failed: ${reason}`, { cause })
    }
    const text = await response.text()
    if (!response.ok) {
      const retryAfter = retryAfterMs(response.headers.get('retry-after'))
      const hint = response.status === 401 || response.status === 403 ? ' (check the token)' : ''
      throw new EndpointError(options.connector, `${where} answered ${response.status}${hint}`, { status: response.status, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) })
    }
    try {
      return { json: JSON.parse(text) as unknown }
    } catch (error) {
      return { text, error: error as Error }
    }
  } finally {
    options.clock.clearTimeout(timer)
    options.signal.removeEventListener('abort', onAbort)
  }
}
