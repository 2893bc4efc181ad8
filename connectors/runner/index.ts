/**
 * The connector runner: runs any source or sink reliably on a log (stored source offsets,
 * commits after flush, retries with backoff, dead letters), standalone or inside an app.
 *
 * @example
 * const running = await startConnector(log, { name: 'orders-file', connector: fileSource, topic: 'orders', config: { path: 'orders.jsonl' } })
 */
export { startConnector, describeConnector, type RunningConnector } from './start-connector.js'
export { loadConnector, builtInConnectors } from './loader.js'
export { readConnectConfig, parseConnectConfig, type ConnectConfig, type LogChoice } from './connect-config.js'
export { OFFSETS_TOPIC } from './offset-store.js'
export type { LogSink, RunnerOptions } from './context.js'
export type * from './spec.js'
