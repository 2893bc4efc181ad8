/** The log layer on its own: the contract, its errors, and the embedded and Kafka backends. */
export type * from './types.js'
export * from './errors.js'
export { embedded, openEmbeddedLog, EmbeddedLog, type EmbeddedLogOptions, type Durability, type RecoveryEvent } from './embedded/index.js'
export { kafka, openKafkaLog, KafkaLog, type KafkaLogOptions, type KafkaSasl, type KafkaRetryOptions, type KafkaClientLogLevel } from './kafka/index.js'
export { partitionForKey, murmur2 } from './partitioner.js'
export { validateTopicName } from './topic-name.js'
