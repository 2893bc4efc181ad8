/**
 * The HTTP connectors: `http-source` (a webhook that answers once records are in the log) and
 * `http-sink` (batches POSTed or PUT to a URL, with an idempotency key per batch).
 *
 * @example
 * import { httpSource, httpSink } from './connectors/http/index.js'
 */
export { httpSource } from './source/http-source.js'
export { httpSourceConfig } from './source/config.js'
export { httpSink } from './sink/http-sink.js'
export { httpSinkConfig } from './sink/config.js'
