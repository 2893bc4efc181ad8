/**
 * One app, two backends: the log an app runs on, chosen by the environment rather than by its
 * code. With `TRIBUTARY_KAFKA_BROKERS` set (`host:port`, comma-separated) it is an Apache Kafka
 * cluster; otherwise the embedded log in the given directory.
 */
import { embedded } from './log/embedded/index.js'
import type { EmbeddedLogOptions } from './log/embedded/options.js'
import { kafka } from './log/kafka/index.js'
import type { KafkaLogOptions } from './log/kafka/options.js'
import type { LogProvider } from './log/types.js'

/** The environment variable that moves an app onto Kafka: its bootstrap brokers. */
export const KAFKA_BROKERS_ENV = 'TRIBUTARY_KAFKA_BROKERS'

/** A log provider that also says which backend it opens (an app may create topics differently on each). */
export interface ChosenLog extends LogProvider {
  readonly backend: 'embedded' | 'kafka'
  /** Where it is: the embedded log's directory, or the Kafka bootstrap brokers. */
  readonly location: string
}

/**
 * The embedded log in `embeddedOptions.dir`, unless `TRIBUTARY_KAFKA_BROKERS` names Kafka
 * brokers: then `kafka({ brokers, ...kafkaOptions })`. The Kafka backend never creates topics on
 * its own, so an app creates its input and output topics itself, on either backend.
 *
 * @example
 * // TRIBUTARY_KAFKA_BROKERS=127.0.0.1:9092 node --import tsx app.ts   runs on Kafka
 * // node --import tsx app.ts                                           runs on ./data
 * const log = logFromEnv({ dir: './data' })
 * const app = new App({ id: 'billing', log })
 */
export function logFromEnv(embeddedOptions: EmbeddedLogOptions, kafkaOptions: Omit<KafkaLogOptions, 'brokers'> = {}, env: NodeJS.ProcessEnv = process.env): ChosenLog {
  const brokers = env[KAFKA_BROKERS_ENV]?.trim() ?? ''
  if (brokers !== '') return { ...kafka({ ...kafkaOptions, brokers }), backend: 'kafka', location: brokers }
  return { ...embedded(embeddedOptions), backend: 'embedded', location: embeddedOptions.dir }
}
