/**
 * The one place kafkajs clients are made: Tributary's options become a kafkajs `Kafka` client, and
 * kafkajs's log lines go to the log's logger at the chosen level.
 */
// kafkajs is CommonJS and Node's ESM loader finds only some of its named exports, so every module
// here takes kafkajs's values from its default export (types are imported by name).
import kafkajs, { type ISocketFactory, type Kafka, type KafkaConfig, type RetryOptions, type logCreator } from 'kafkajs'

const { logLevel } = kafkajs
import type { KafkaClientLogLevel, ResolvedKafkaLogOptions } from './options.js'

const LEVELS: Readonly<Record<KafkaClientLogLevel, kafkajs.logLevel>> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
}

/**
 * A kafkajs client for these options; `socketFactory` replaces how it opens connections (a
 * consumer uses it to hold its group rejoin until its revocation callback has run).
 *
 * @example
 * const client = createKafkaClient(resolveKafkaLogOptions({ brokers: 'localhost:9092' }))
 * const admin = client.admin()
 */
export function createKafkaClient(options: ResolvedKafkaLogOptions, socketFactory?: ISocketFactory): Kafka {
  const logger = options.logger
  const toLogger: logCreator = () => (entry) => {
    logger.warn(`kafkajs ${entry.label} [${entry.namespace}] ${entry.log.message}`)
  }
  const config: KafkaConfig = {
    brokers: [...options.brokers],
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: retryOf(options),
    logLevel: LEVELS[options.clientLogLevel],
    logCreator: toLogger,
  }
  if (options.ssl !== undefined) config.ssl = options.ssl
  if (options.sasl !== undefined) config.sasl = { ...options.sasl }
  if (socketFactory !== undefined) config.socketFactory = socketFactory
  return new kafkajs.Kafka(config)
}

function retryOf(options: ResolvedKafkaLogOptions): RetryOptions {
  const { retries, initialRetryTimeMs, maxRetryTimeMs, factor, multiplier } = options.retry
  const retry: RetryOptions = {}
  if (retries !== undefined) retry.retries = retries
  if (initialRetryTimeMs !== undefined) retry.initialRetryTime = initialRetryTimeMs
  if (maxRetryTimeMs !== undefined) retry.maxRetryTime = maxRetryTimeMs
  if (factor !== undefined) retry.factor = factor
  if (multiplier !== undefined) retry.multiplier = multiplier
  return retry
}
