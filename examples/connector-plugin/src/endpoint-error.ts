import { ConnectorError } from 'tributary/connectors'

/**
 * The endpoint answered with an error status, or did not answer. Overload (429), server errors
 * (5xx), timeouts and network failures are `retriable`: the runner tries the poll again with
 * backoff, waiting at least `retryAfterMs` when the endpoint sent `Retry-After`. Other statuses
 * (401, 403, 404) are not: they need a change of config.
 *
 * @example
 * throw new EndpointError('orders-api', 'GET https://api.example.com/orders answered 503', { status: 503, retryAfterMs: 2000 })
 */
export class EndpointError extends ConnectorError {
  /** The HTTP status, or undefined when there was no answer. */
  readonly status: number | undefined
  /** How long the endpoint asked to wait before trying again. */
  readonly retryAfterMs: number | undefined

  constructor(connector: string, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    const retriable = options.status === undefined || options.status === 408 || options.status === 429 || options.status >= 500
    super(connector, message, { retriable, code: 'REST_POLL_ENDPOINT', ...(options.cause === undefined ? {} : { cause: options.cause }) })
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
  }
}

/** `Retry-After` in seconds (the form APIs use; an HTTP date is ignored), as milliseconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined
  return Number(header.trim()) * 1000
}
