/** The log layer on its own: the contract, its errors, and the embedded backend. */
export type * from './types.js'
export * from './errors.js'
export { embedded, openEmbeddedLog, EmbeddedLog, type EmbeddedLogOptions, type Durability, type RecoveryEvent } from './embedded/index.js'
export { partitionForKey, murmur2 } from './partitioner.js'
export { validateTopicName } from './topic-name.js'
