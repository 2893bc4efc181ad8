import { ConnectorError } from '../api/errors.js'
import { redact, type Secret } from '../api/secret.js'

/** Node socket errors after which a new connection may succeed. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND'])

/**
 * The SQLSTATE of a PostgreSQL error, or undefined for any other error.
 *
 * @example
 * sqlState(error) // '23505' (unique_violation)
 */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/**
 * Whether a retry can help: a lost or refused connection (class 08, socket errors, a client
 * that was ended), a serialization failure or deadlock (40001, 40P01), the server shutting down
 * or starting (57P01-57P03), insufficient resources (class 53), a lock not available (55P03).
 *
 * @example
 * isRetriablePgError({ code: '40001' }) // true
 */
export function isRetriablePgError(error: unknown): boolean {
  const state = sqlState(error)
  if (state !== undefined) return state.startsWith('08') || state.startsWith('53') || ['40001', '40P01', '57P01', '57P02', '57P03', '55P03'].includes(state)
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|connection timeout|Client was closed|Client has encountered a connection error|not queryable/i.test(message)
}

/**
 * Whether the rows are at fault, not the server: a data exception (class 22: a value of the
 * wrong type, out of range) or an integrity constraint violation (class 23: NOT NULL, unique,
 * foreign key, check). Such rows go to the dead-letter topic.
 *
 * @example
 * isDataError({ code: '23502' }) // true (not_null_violation)
 */
export function isDataError(error: unknown): boolean {
  const state = sqlState(error)
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'))
}

/**
 * A PostgreSQL failure as a ConnectorError: what was being done, the server's message and
 * SQLSTATE, retriable when a retry can help; secrets removed from the text.
 *
 * @example
 * throw pgFailure('orders-db', 'the upsert of 500 rows into public.orders failed', error, secrets)
 */
export function pgFailure(connector: string, doing: string, error: unknown, secrets: readonly Secret[]): ConnectorError {
  if (error instanceof ConnectorError) return error // made here already (a failed reconnection): keeps its message and retriable flag
  const state = sqlState(error)
  const detail = error instanceof Error ? error.message : String(error)
  const message = redact(`${doing}: ${detail}${state === undefined ? '' : ` (SQLSTATE ${state})`}`, secrets)
  return new ConnectorError(connector, message, { retriable: isRetriablePgError(error), cause: scrubbed(error, secrets), code: 'TRIBUTARY_POSTGRES' })
}

/** The cause without secrets in its message (the pg client may quote its connection settings). */
function scrubbed(error: unknown, secrets: readonly Secret[]): unknown {
  if (!(error instanceof Error)) return error
  const copy = new Error(redact(error.message, secrets))
  const state = sqlState(error)
  return state === undefined ? copy : Object.assign(copy, { code: state })
}
