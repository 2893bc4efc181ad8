import type { LogProvider } from '../types.js'
import { KafkaLog } from './kafka-log.js'
import type { KafkaLogOptions } from './options.js'

export { KafkaLog } from './kafka-log.js'
export type { KafkaClientLogLevel, KafkaLogOptions, KafkaRetryOptions, KafkaSasl } from './options.js'

/**
 * Opens a log on an Apache Kafka cluster: the same contract as the embedded log, through
 * kafkajs. Checks the options and connects before it returns, so a wrong broker address fails
 * here. Topics are never created implicitly.
 *
 * @example
 * const log = await openKafkaLog({ brokers: ['kafka-1:9092', 'kafka-2:9092'], clientId: 'billing' })
 * await log.createTopic('orders', { partitions: 6, replicationFactor: 3 })
 * await log.producer().send([{ topic: 'orders', key: Buffer.from('k'), value: Buffer.from('v') }])
 * await log.close()
 */
export async function openKafkaLog(options: KafkaLogOptions): Promise<KafkaLog> {
  return KafkaLog.open(options)
}

/**
 * The Kafka log for an app: opened when the app starts, closed when it stops. Instances of an app
 * on one cluster form a consumer group and share its partitions.
 *
 * @example
 * const app = new App({ id: 'wordcount', log: kafka({ brokers: ['localhost:9092'] }) })
 */
export function kafka(options: KafkaLogOptions): LogProvider {
  return { open: () => openKafkaLog(options) }
}
