import os from 'node:os'
import path from 'node:path'
import { systemClock, type Clock } from '../clock.js'
import { toMillis, type Duration } from '../time/duration.js'
import type { StoreBackendFactory } from '../../state/backend/types.js'
import { rocksdbStores } from '../../state/backend/rocksdb-backend.js'
import { ConfigError } from '../errors.js'
import type { Log, LogProvider } from '../log/types.js'
import { isLogLevel, pinoLogger, type LogLevel } from '../observe/pino-logger.js'
import { observeOptionsFromEnv, resolveObserveOptions, type ObserveOptions, type ResolvedObserveOptions } from '../observe/observe-options.js'

export type { AppMetrics } from './app-metrics.js'

/** What to do with a record that fails: stop, skip it (counted), or write it to a dead-letter topic. */
export type ErrorPolicy = 'fail' | 'skip' | { readonly deadLetter: string }

export interface AppLogger {
  warn(message: string): void
  info(message: string): void
  /** State changes and other detail; left out when absent. */
  debug?(message: string): void
}

export interface AppOptions {
  /** Names the app: its consumer group, its internal topics, its transactional ids. */
  readonly id: string
  /** The log to run on: `embedded({ dir })`, a Kafka log, or an open `Log`. */
  readonly log: Log | LogProvider
  /** Default `at_least_once`. Under `exactly_once`, outputs and input offsets commit atomically. */
  readonly processing?: 'at_least_once' | 'exactly_once'
  /** How often progress is committed. Default 30 s (at_least_once) or 100 ms (exactly_once), as Kafka Streams. */
  readonly commitIntervalMs?: number
  /** Records that cannot be deserialized. Default `fail`. */
  readonly onDeserializationError?: ErrorPolicy
  /** Records for which an operator's function throws. Default `fail`. */
  readonly onProcessingError?: ErrorPolicy
  /** Records fetched per poll. Default 1,000. */
  readonly maxPollRecords?: number
  /** Async work in flight per task before the runtime stops feeding it. Default 1,000. */
  readonly maxInFlight?: number
  /** Stop gracefully on SIGINT and SIGTERM, then exit 0. Default true. */
  readonly handleSignals?: boolean
  /** Where stores keep their data: RocksDB (`rocksdbStores()`, the default) or memory (`inMemoryStores()`). */
  readonly stores?: StoreBackendFactory
  /** Local state: shards in `<stateDir>/<app id>/<store>-<partition>`. Default `<tmp>/tributary-state`, as Kafka Streams' `state.dir`. */
  readonly stateDir?: string
  /** Bytes all store caches may hold together; 0 turns caching off. Default 10 MiB. */
  readonly cacheMaxBytes?: number
  /**
   * After this long without a record, a task's stream time moves on with the wall clock, so
   * windows of a quiet partition close and their final results come out. Default: never (stream
   * time moves only with records, as in Kafka Streams).
   */
  readonly idleTimeout?: Duration
  /**
   * How long a task with several inputs (a join, a merge) waits for one that has nothing fetched,
   * whose next record may come first by timestamp, before it processes the others anyway: Kafka
   * Streams' `max.task.idle.ms`. Default 0: it waits only for an input its consumer knows to have
   * records past its position (for at most 1 s). Above 0 it waits for any empty input that long,
   * once per record it had: for an input fed through a repartition topic, say, which may be empty
   * only because its records are still on their way through the app. Latency grows by as much
   * when an input is quiet.
   */
  readonly maxTaskIdle?: Duration
  /**
   * How long the app keeps retrying after its log fails it with a retriable error (a broker down,
   * a coordinator moving) before it gives up and stops with that error. Each time, every task is
   * closed without committing and taken up again from the last commit (its stores restored from
   * their changelogs), as Kafka Streams does within `task.timeout.ms`. Default 5 minutes; 0
   * fails at the first such error.
   */
  readonly taskTimeout?: Duration
  /** Drop the state of stores whose shape changed (or that are gone) instead of refusing to start. Default false. */
  readonly resetState?: boolean
  readonly clock?: Clock
  /** Where the app's log lines go. Default: plain lines on stderr, or JSON lines (pino) when `logLevel` is set. */
  readonly logger?: AppLogger
  /**
   * Logs JSON lines (pino) on stderr from this level up (`TRIBUTARY_LOG_LEVEL` sets it too).
   * Ignored when `logger` is given.
   */
  readonly logLevel?: LogLevel
  /**
   * Serves metrics (Prometheus text at `/metrics`), health (`/health/live`, `/health/ready`) and,
   * unless `dashboard: false`, a live dashboard at `/`, on 127.0.0.1 at `port` (0: any free
   * port; see `app.httpAddress()`). `TRIBUTARY_DASHBOARD_PORT` (with the dashboard) or
   * `TRIBUTARY_METRICS_PORT` (without) set it from outside, as `tributary run --dashboard PORT`
   * does, and win over this option. Default: no server.
   */
  readonly observe?: ObserveOptions
}

export interface ResolvedAppOptions {
  readonly id: string
  readonly processing: 'at_least_once' | 'exactly_once'
  readonly commitIntervalMs: number
  readonly onDeserializationError: ErrorPolicy
  readonly onProcessingError: ErrorPolicy
  readonly maxPollRecords: number
  readonly maxInFlight: number
  readonly maxBufferedOutputs: number
  readonly pollTimeoutMs: number
  readonly handleSignals: boolean
  readonly stores: StoreBackendFactory
  readonly stateDir: string
  readonly cacheMaxBytes: number
  readonly resetState: boolean
  readonly idleTimeoutMs: number | undefined
  readonly taskTimeoutMs: number
  readonly maxTaskIdleMs: number
  readonly clock: Clock
  readonly logger: AppLogger
  readonly observe: ResolvedObserveOptions | undefined
}

const stderrLogger: AppLogger = {
  warn: (message) => process.stderr.write(`[tributary] ${message}\n`),
  info: (message) => process.stderr.write(`[tributary] ${message}\n`),
}

/** Fills in defaults and checks every option, naming the one that is wrong. */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  if (typeof options.id !== 'string' || !/^[a-zA-Z0-9._-]{1,200}$/.test(options.id)) {
    throw new ConfigError('id', `must be 1 to 200 characters of [a-zA-Z0-9._-] (it names topics and groups), got ${JSON.stringify(options.id)}`)
  }
  const processing = options.processing ?? 'at_least_once'
  if (processing !== 'at_least_once' && processing !== 'exactly_once') {
    throw new ConfigError('processing', `must be "at_least_once" or "exactly_once", got ${JSON.stringify(processing)}`)
  }
  const resolved: ResolvedAppOptions = {
    id: options.id,
    processing,
    commitIntervalMs: options.commitIntervalMs ?? (processing === 'exactly_once' ? 100 : 30_000),
    onDeserializationError: options.onDeserializationError ?? 'fail',
    onProcessingError: options.onProcessingError ?? 'fail',
    maxPollRecords: options.maxPollRecords ?? 1_000,
    maxInFlight: options.maxInFlight ?? 1_000,
    maxBufferedOutputs: 10_000,
    pollTimeoutMs: 100,
    handleSignals: options.handleSignals ?? true,
    stores: options.stores ?? rocksdbStores(),
    stateDir: path.resolve(options.stateDir ?? path.join(os.tmpdir(), 'tributary-state')),
    cacheMaxBytes: options.cacheMaxBytes ?? 10 * 1024 * 1024,
    resetState: options.resetState ?? false,
    idleTimeoutMs: options.idleTimeout === undefined ? undefined : toMillis(options.idleTimeout, 'idleTimeout'),
    maxTaskIdleMs: options.maxTaskIdle === undefined ? 0 : toMillis(options.maxTaskIdle, 'maxTaskIdle'),
    taskTimeoutMs: options.taskTimeout === undefined ? 300_000 : toMillis(options.taskTimeout, 'taskTimeout'),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? defaultLogger(options.id, options.logLevel ?? process.env.TRIBUTARY_LOG_LEVEL),
    observe: observeFrom(options.observe),
  }
  for (const field of ['commitIntervalMs', 'maxPollRecords', 'maxInFlight'] as const) {
    const value = resolved[field]
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(field, `must be a positive integer, got ${String(value)}`)
  }
  if (!Number.isInteger(resolved.cacheMaxBytes) || resolved.cacheMaxBytes < 0) throw new ConfigError('cacheMaxBytes', `must be a non-negative integer, got ${String(resolved.cacheMaxBytes)}`)
  for (const field of ['onDeserializationError', 'onProcessingError'] as const) checkPolicy(field, resolved[field])
  return resolved
}

/** The environment's server (set by `tributary run --dashboard`) wins over the app's own. */
function observeFrom(option: ObserveOptions | undefined): ResolvedObserveOptions | undefined {
  const fromEnvironment = observeOptionsFromEnv(process.env)
  return fromEnvironment === undefined ? resolveObserveOptions(option) : resolveObserveOptions(fromEnvironment, true)
}

/** Plain lines without a level; pino's JSON lines with one. */
function defaultLogger(id: string, level: string | undefined): AppLogger {
  if (level === undefined || level === '') return stderrLogger
  if (!isLogLevel(level)) throw new ConfigError('logLevel', `must be one of trace, debug, info, warn, error, fatal, silent, got ${JSON.stringify(level)}`)
  return pinoLogger(level, { app: id })
}

function checkPolicy(field: string, policy: ErrorPolicy): void {
  if (policy === 'fail' || policy === 'skip') return
  if (typeof policy === 'object' && policy !== null && typeof policy.deadLetter === 'string' && policy.deadLetter.length > 0) return
  throw new ConfigError(field, `must be 'fail', 'skip' or { deadLetter: 'topic' }, got ${JSON.stringify(policy)}`)
}
