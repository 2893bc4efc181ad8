import type { ConnectionOptions } from 'node:tls'
import { ConfigError } from '../../errors.js'
import { stderrLogger, type LogLogger } from '../engine/logger.js'
import { requireInteger } from '../engine/topic-config.js'

/** SASL credentials; send them over TLS (`ssl`), since PLAIN and SCRAM do not encrypt the connection. */
export type KafkaSasl =
  | { readonly mechanism: 'plain'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'scram-sha-256'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'scram-sha-512'; readonly username: string; readonly password: string }

/** How requests that fail with a retriable error are retried (kafkajs's `retry`). */
export interface KafkaRetryOptions {
  /** Attempts after the first. Default 5, and 10 for a producer's sends (about two minutes of waits, as Java's `delivery.timeout.ms`). */
  readonly retries?: number
  /** Wait before the first retry. Default 300 ms. */
  readonly initialRetryTimeMs?: number
  /** Upper bound on one wait. Default 30 s. */
  readonly maxRetryTimeMs?: number
  /** Randomisation of each wait, 0 to 1. Default 0.2. */
  readonly factor?: number
  /** Growth of the wait per attempt. Default 2. */
  readonly multiplier?: number
}

export type KafkaClientLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug'

export interface KafkaLogOptions {
  /** Bootstrap brokers, `host:port` each (a comma-separated string is split). */
  readonly brokers: readonly string[] | string
  /** Names this application in broker logs and quotas. Default `tributary`. */
  readonly clientId?: string
  /** TLS: `true` for the system's trusted CAs, or Node's TLS options (CA, client certificate, …). */
  readonly ssl?: boolean | ConnectionOptions
  /** SASL credentials; refused without `ssl` (they would cross the network in the clear) unless `allowPlaintextSasl`. */
  readonly sasl?: KafkaSasl
  /** Send SASL credentials over a connection without TLS (a trusted network, a local test broker). Default false. */
  readonly allowPlaintextSasl?: boolean
  /** How long to wait for a TCP (and TLS) connection. Default 1000 ms, kafkajs's. */
  readonly connectionTimeoutMs?: number
  /** How long to wait for a broker's answer. Default 30 s. */
  readonly requestTimeoutMs?: number
  readonly retry?: KafkaRetryOptions
  /** Replicas of each topic `createTopic` makes without its own `replicationFactor`. Default: the broker's `default.replication.factor`. */
  readonly replicationFactor?: number
  /** `min.insync.replicas` of each topic `createTopic` makes without its own `minInsyncReplicas`. Default: the broker's. */
  readonly minInsyncReplicas?: number
  /** How often a group member tells the coordinator it is alive (and learns of rebalances). Default 3000 ms, as Java's client. */
  readonly heartbeatIntervalMs?: number
  /** How long a fetch waits at the broker for new records. Default 500 ms, as Java's `fetch.max.wait.ms`. */
  readonly fetchMaxWaitMs?: number
  /** How long the group waits for members to rejoin in a rebalance (onRevoked runs inside it). Default 60 s. */
  readonly rebalanceTimeoutMs?: number
  /**
   * A group member not heard from for this long is removed and its partitions go to the others
   * (a crashed or paused instance); a consumer's own `sessionTimeoutMs` overrides it. Default 45 s,
   * as Java's `session.timeout.ms`; the broker bounds it (`group.min.session.timeout.ms`, 6 s by default).
   */
  readonly sessionTimeoutMs?: number
  /** How long a producer trusts what it knows of a topic (partition count, limits). Default 5 minutes, as Java's `metadata.max.age.ms`. */
  readonly metadataMaxAgeMs?: number
  /** Where the log's warnings go (a consumer reset to its policy). Default: stderr. */
  readonly logger?: LogLogger
  /** kafkajs's own log lines, sent to `logger`. Default `nothing`: its failures surface as typed errors. */
  readonly clientLogLevel?: KafkaClientLogLevel
}

/** KafkaLogOptions with defaults filled in and every value checked. */
export interface ResolvedKafkaLogOptions {
  readonly brokers: readonly string[]
  readonly clientId: string
  readonly ssl: boolean | ConnectionOptions | undefined
  readonly sasl: KafkaSasl | undefined
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly retry: KafkaRetryOptions
  readonly replicationFactor: number | undefined
  readonly minInsyncReplicas: number | undefined
  readonly heartbeatIntervalMs: number
  readonly fetchMaxWaitMs: number
  readonly rebalanceTimeoutMs: number
  readonly sessionTimeoutMs: number
  readonly metadataMaxAgeMs: number
  readonly clientLogLevel: KafkaClientLogLevel
  readonly logger: LogLogger
}

const HOST_PORT = /^[^\s:,]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/
const LOG_LEVELS: readonly KafkaClientLogLevel[] = ['nothing', 'error', 'warn', 'info', 'debug']
const MAX_MS = 2 ** 31 - 1

/**
 * Fills in defaults and checks every option, naming the one that is wrong, before any connection.
 *
 * @example
 * resolveKafkaLogOptions({ brokers: 'a:9092,b:9092' }).brokers // ['a:9092', 'b:9092']
 * resolveKafkaLogOptions({ brokers: [] })                       // throws ConfigError (brokers)
 */
export function resolveKafkaLogOptions(options: KafkaLogOptions): ResolvedKafkaLogOptions {
  const brokers = typeof options.brokers === 'string' ? options.brokers.split(',').map((broker) => broker.trim()) : [...options.brokers]
  if (brokers.length === 0) throw new ConfigError('brokers', 'give at least one bootstrap broker as host:port')
  for (const broker of brokers) {
    if (typeof broker !== 'string' || !HOST_PORT.test(broker)) {
      throw new ConfigError('brokers', `each broker is host:port, got ${JSON.stringify(broker)}`)
    }
  }
  const clientId = options.clientId ?? 'tributary'
  if (typeof clientId !== 'string' || clientId.length === 0) throw new ConfigError('clientId', 'must be a non-empty string')
  if (options.sasl !== undefined) checkSasl(options.sasl)
  if (options.sasl !== undefined && (options.ssl === undefined || options.ssl === false) && options.allowPlaintextSasl !== true) {
    throw new ConfigError('sasl', 'SASL credentials without ssl would cross the network in the clear; set ssl, or allowPlaintextSasl: true where the network is trusted')
  }
  const resolved: ResolvedKafkaLogOptions = {
    brokers,
    clientId,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 1000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? {},
    replicationFactor: options.replicationFactor,
    minInsyncReplicas: options.minInsyncReplicas,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
    metadataMaxAgeMs: options.metadataMaxAgeMs ?? 300_000,
    clientLogLevel: options.clientLogLevel ?? 'nothing',
    logger: options.logger ?? stderrLogger,
  }
  requireInteger('connectionTimeoutMs', resolved.connectionTimeoutMs, 1, MAX_MS)
  requireInteger('requestTimeoutMs', resolved.requestTimeoutMs, 1, MAX_MS)
  requireInteger('heartbeatIntervalMs', resolved.heartbeatIntervalMs, 1, MAX_MS)
  requireInteger('fetchMaxWaitMs', resolved.fetchMaxWaitMs, 0, MAX_MS)
  requireInteger('rebalanceTimeoutMs', resolved.rebalanceTimeoutMs, 1, MAX_MS)
  requireInteger('sessionTimeoutMs', resolved.sessionTimeoutMs, 1, MAX_MS)
  requireInteger('metadataMaxAgeMs', resolved.metadataMaxAgeMs, 0, MAX_MS)
  if (resolved.replicationFactor !== undefined) requireInteger('replicationFactor', resolved.replicationFactor, 1, 32_767)
  if (resolved.minInsyncReplicas !== undefined) requireInteger('minInsyncReplicas', resolved.minInsyncReplicas, 1, 32_767)
  checkRetry(resolved.retry)
  if (!LOG_LEVELS.includes(resolved.clientLogLevel)) {
    throw new ConfigError('clientLogLevel', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(resolved.clientLogLevel)}`)
  }
  return resolved
}

function checkSasl(sasl: KafkaSasl): void {
  const mechanisms: readonly string[] = ['plain', 'scram-sha-256', 'scram-sha-512']
  if (!mechanisms.includes(sasl.mechanism)) {
    throw new ConfigError('sasl.mechanism', `must be one of ${mechanisms.join(', ')}, got ${JSON.stringify(sasl.mechanism)}`)
  }
  if (typeof sasl.username !== 'string' || sasl.username.length === 0) throw new ConfigError('sasl.username', 'must be a non-empty string')
  // The password itself never appears in a message.
  if (typeof sasl.password !== 'string') throw new ConfigError('sasl.password', 'must be a string')
}

function checkRetry(retry: KafkaRetryOptions): void {
  if (retry.retries !== undefined) requireInteger('retry.retries', retry.retries, 0, Number.MAX_SAFE_INTEGER)
  if (retry.initialRetryTimeMs !== undefined) requireInteger('retry.initialRetryTimeMs', retry.initialRetryTimeMs, 1, MAX_MS)
  if (retry.maxRetryTimeMs !== undefined) requireInteger('retry.maxRetryTimeMs', retry.maxRetryTimeMs, 1, MAX_MS)
  for (const field of ['factor', 'multiplier'] as const) {
    const value = retry[field]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new ConfigError(`retry.${field}`, `must be a non-negative number, got ${String(value)}`)
    }
  }
}
