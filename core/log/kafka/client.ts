/**
 * The one place kafkajs clients are made: Tributary's options become a kafkajs `Kafka` client, and
 * kafkajs's log lines go to the log's logger at the chosen level.
 */
// kafkajs is CommonJS and Node's ESM loader finds only some of its named exports, so every module
// here takes kafkajs's values from its default export (types are imported by name).
import { kafkajsFixesApplied } from './kafkajs-fixes.js'
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

let warnedUnfixed = false

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
  if (!kafkajsFixesApplied() && !warnedUnfixed) {
    warnedUnfixed = true
    logger.warn('kafkajs was loaded before Tributary, so its fixes of kafkajs (core/log/kafka/kafkajs-fixes.ts) are not in effect and large sends take quadratic time; import Tributary first')
  }
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

/**
 * kafkajs's retry with every value set: left unset, kafkajs takes its defaults from a file that
 * depends on NODE_ENV, and under NODE_ENV=test (as test runners set it) retries give up within
 * about 4 s (50 ms growing to 1 s), before a crashed broker's leaderships have moved. These are
 * kafkajs's production defaults, the ones KafkaRetryOptions documents.
 */
function retryOf(options: ResolvedKafkaLogOptions): Required<Pick<RetryOptions, 'retries' | 'initialRetryTime' | 'maxRetryTime' | 'factor' | 'multiplier'>> {
  const { retries, initialRetryTimeMs, maxRetryTimeMs, factor, multiplier } = options.retry
  return {
    retries: retries ?? 5,
    initialRetryTime: initialRetryTimeMs ?? 300,
    maxRetryTime: maxRetryTimeMs ?? 30_000,
    factor: factor ?? 0.2,
    multiplier: multiplier ?? 2,
  }
}
