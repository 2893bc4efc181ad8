import { systemClock, type Clock } from '../../core/clock.js'
import { ConnectorError } from '../api/errors.js'
import type { ConnectorLogger } from '../api/types.js'
import { connectorLogger, MetricsBoard, stderrLogSink, type RunnerOptions } from './context.js'
import { resolveSpec, type ResolvedSpec } from './resolved-spec.js'
import { withRetries } from './retry.js'
import type { ConnectorRunnerMetrics, ConnectorSpec } from './spec.js'

const WRONG_KIND = {
  source: 'is a sink connector; give it topics to read, not a topic to write',
  sink: 'is a source connector; give it a topic to write, not topics to read',
} as const

/**
 * What the source and the sink runner share: the checked spec, the clock, the redacting logger,
 * the metrics, the stop signal, the loop's end, and retries with backoff that count and log.
 *
 * @example
 * class SourceRunner extends RunnerCore { constructor(log, spec, options) { super(spec, 'source', options) } }
 */
export abstract class RunnerCore {
  readonly name: string
  protected readonly resolved: ResolvedSpec
  protected readonly clock: Clock
  protected readonly board: MetricsBoard
  protected readonly logger: ConnectorLogger
  protected readonly controller = new AbortController()
  protected loopDone: Promise<void> = Promise.resolve()

  protected constructor(spec: ConnectorSpec, kind: 'source' | 'sink', options: RunnerOptions) {
    this.resolved = resolveSpec(spec)
    if (this.resolved.connector.kind !== kind) throw new ConnectorError(this.resolved.name, `${this.resolved.connector.name} ${WRONG_KIND[kind]}`)
    this.name = this.resolved.name
    this.clock = options.clock ?? systemClock
    this.logger = connectorLogger(this.name, this.resolved.secrets, options.logSink ?? stderrLogSink)
    this.board = new MetricsBoard(this.resolved.secrets)
  }

  /** Resolves when the loop has ended: after `stop`, or rejects with the error that stopped the connector. */
  get done(): Promise<void> {
    return this.loopDone
  }

  metrics(): ConnectorRunnerMetrics {
    return this.board.snapshot()
  }

  /** Calls `call` with the spec's retries; a wait between tries ends early when `signal` aborts (by default at stop). */
  protected retrying<T>(what: string, call: () => Promise<T>, signal: AbortSignal = this.controller.signal): Promise<T> {
    return withRetries(call, this.resolved.retry, this.clock, signal, (error, retry, delayMs) => {
      this.board.values.retries++
      this.logger.warn(`${what} failed, retry ${retry} of ${this.resolved.retry.max} in ${delayMs} ms: ${(error as Error).message}`)
    })
  }
}
