import { ConnectorError } from '../../api/errors.js'
import { retryAfterMs } from './retry-after.js'
import type { RequestOutcome } from './send-request.js'

/** A retriable error that may carry how long the server asked to wait; the runner's retry honours `retryAfterMs`. */
export type RetriableHttpError = ConnectorError & { readonly retryAfterMs: number | undefined }

/**
 * What a request's outcome means for its records: delivered; try again (5xx, 408, 429, timeout,
 * network); refused (another 4xx: the records are bad, they go to the dead-letter topic); or
 * fatal (a redirect, 401, 403, 404, 405: the sink's settings are wrong, and no record is to blame).
 */
export type Verdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly error: RetriableHttpError }
  | { readonly kind: 'refused'; readonly error: ConnectorError }

export interface JudgeContext {
  readonly connector: string
  /** The request, for messages: `POST https://api/x (orders-0-10-19, 10 records)`. */
  readonly what: string
  readonly nowMs: number
  readonly maxRetryAfterMs: number
  /** Takes secrets out of a response body before it goes in an error. */
  readonly redactText: (text: string) => string
}

/** How much of a response body an error message quotes. */
const QUOTED_BODY_CHARS = 500
const MISCONFIGURED = new Set([401, 403, 404, 405])

/**
 * Classifies a request's outcome. Throws (a non-retriable ConnectorError) when the outcome says
 * the sink is misconfigured, so the connector stops instead of dead-lettering every record.
 *
 * @example
 * const verdict = judgeOutcome(outcome, { connector: 'to-api', what: 'POST https://api/x', nowMs: Date.now(), maxRetryAfterMs: 60_000, redactText: (t) => t })
 */
export function judgeOutcome(outcome: RequestOutcome, context: JudgeContext): Verdict {
  const { connector, what } = context
  if (outcome.kind === 'timeout') return retry(new ConnectorError(connector, `${what} got no answer in time; it will be sent again`, { retriable: true, code: 'TRIBUTARY_HTTP_TIMEOUT' }), undefined)
  if (outcome.kind === 'network') return retry(new ConnectorError(connector, `${what} failed: ${outcome.message}; it will be sent again`, { retriable: true, code: 'TRIBUTARY_HTTP_NETWORK' }), undefined)
  const { status } = outcome
  if (status >= 200 && status < 300) return { kind: 'delivered' }
  const answer = `HTTP ${status}${quote(context.redactText(outcome.body))}`
  if (status === 408 || status === 429 || status >= 500) {
    const asked = retryAfterMs(outcome.retryAfter, context.nowMs)
    const waitMs = asked === undefined ? undefined : Math.min(asked, context.maxRetryAfterMs)
    const after = waitMs === undefined ? '' : ` after ${waitMs} ms (Retry-After)`
    return retry(new ConnectorError(connector, `${what} answered ${answer}; it will be sent again${after}`, { retriable: true, code: 'TRIBUTARY_HTTP_UNAVAILABLE' }), waitMs)
  }
  if (MISCONFIGURED.has(status) || (status >= 300 && status < 400)) {
    throw new ConnectorError(connector, `${what} answered ${answer}: check the sink's url, method and token (redirects are not followed)`, { code: 'TRIBUTARY_HTTP_MISCONFIGURED' })
  }
  return { kind: 'refused', error: new ConnectorError(connector, `${what} was refused: ${answer}`, { code: 'TRIBUTARY_HTTP_REFUSED' }) }
}

function retry(error: ConnectorError, retryAfterMs: number | undefined): Verdict {
  return { kind: 'retry', error: Object.assign(error, { retryAfterMs }) }
}

function quote(body: string): string {
  const text = body.trim()
  if (text === '') return ''
  return `: ${text.length > QUOTED_BODY_CHARS ? `${text.slice(0, QUOTED_BODY_CHARS)}…` : text}`
}
