import type { Clock } from '../../core/clock.js'
import type { Secret } from '../api/secret.js'
import { redact } from '../api/secret.js'
import type { ConnectorLogger, ConnectorMetrics } from '../api/types.js'
import type { ConnectorRunnerMetrics } from './spec.js'

/** Where the runner's log lines go: one call per line, already redacted. */
export type LogSink = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Readonly<Record<string, unknown>>) => void

/** The default sink: info and above to stderr as `[tributary] level connector: message {fields}`; debug with TRIBUTARY_LOG_LEVEL=debug. */
export const stderrLogSink: LogSink = (level, message, fields) => {
  if (level === 'debug' && process.env.TRIBUTARY_LOG_LEVEL !== 'debug') return
  const extra = Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`
  process.stderr.write(`[tributary] ${level} ${message}${extra}\n`)
}

/**
 * A connector's logger: each line names the connector and has every secret of its config
 * replaced by `[redacted]`, in the message and in the fields.
 *
 * @example
 * const logger = connectorLogger('orders-db', secrets, stderrLogSink)
 * logger.warn('insert failed', { table: 'orders' })
 */
export function connectorLogger(name: string, secrets: readonly Secret[], sink: LogSink): ConnectorLogger {
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields: Readonly<Record<string, unknown>> = {}) => {
    const clean = secrets.length === 0 ? fields : (JSON.parse(redact(JSON.stringify(fields), secrets)) as Record<string, unknown>)
    sink(level, `connector ${name}: ${redact(message, secrets)}`, clean)
  }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

/**
 * Replaces the secrets in an error's message and stack, and in those of its causes, so an error a
 * client library made (quoting a connection string, say) can be printed safely. Returns the error.
 *
 * @example
 * throw scrubError(error, secrets)
 */
export function scrubError<E>(error: E, secrets: readonly Secret[]): E {
  if (secrets.length === 0) return error
  const seen = new Set<unknown>()
  let current: unknown = error
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current)
    try {
      current.message = redact(current.message, secrets)
      if (current.stack !== undefined) current.stack = redact(current.stack, secrets)
    } catch {
      // A frozen error keeps its text; nothing more to do for it.
    }
    current = current.cause
  }
  return error
}

/** The runner's counters for one connector, and the connector's own through `context.metrics` (their names redacted too). */
export class MetricsBoard {
  readonly values: ConnectorRunnerMetrics = { records: 0, deadLettered: 0, retries: 0, commits: 0, custom: {} }

  constructor(private readonly secrets: readonly Secret[] = []) {}

  /** The `context.metrics` a connector gets. */
  readonly forConnector: ConnectorMetrics = {
    count: (name, by = 1) => {
      const shown = this.nameOf(name)
      this.values.custom[shown] = (this.values.custom[shown] ?? 0) + by
    },
    gauge: (name, value) => {
      this.values.custom[this.nameOf(name)] = value
    },
  }

  private nameOf(name: string): string {
    return this.secrets.length === 0 ? name : redact(name, this.secrets)
  }

  snapshot(): ConnectorRunnerMetrics {
    return { ...this.values, custom: { ...this.values.custom } }
  }
}

/** What both runners share: the clock, the stop signal, the log sink. */
export interface RunnerOptions {
  readonly clock?: Clock
  /** Where log lines go; default stderr. */
  readonly logSink?: LogSink
}
