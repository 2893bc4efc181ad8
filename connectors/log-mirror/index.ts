/**
 * The `log-mirror-sink` connector: copies topics to another log, embedded or Kafka.
 *
 * @example
 * import { logMirrorSink } from './connectors/log-mirror/index.js'
 * await startConnector(log, { name: 'mirror', connector: logMirrorSink, topics: ['orders'], config: { target: { kafka: 'localhost:9092' } } })
 */
export { logMirrorSink } from './log-mirror-sink.js'
export { logMirrorSink as default } from './log-mirror-sink.js'
