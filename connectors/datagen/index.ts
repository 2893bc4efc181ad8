/**
 * The `datagen-source` connector: seeded, reproducible test data (Nexmark events, or random
 * values of an Avro schema) for a topic.
 *
 * @example
 * import { datagenSource } from './connectors/datagen/index.js'
 * await startConnector(log, { name: 'gen', connector: datagenSource, topic: 'events', config: { generator: 'nexmark', maxRecords: 1000 } })
 */
export { datagenSource } from './datagen-source.js'
export { AvroValues } from './avro-values.js'
export { jsonForm } from './json-form.js'
export { datagenSource as default } from './datagen-source.js'
