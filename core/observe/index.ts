/**
 * Seeing an app run: its metrics in the Prometheus text format, health endpoints, a live
 * dashboard, and structured logs. Apps get all of it from `AppOptions.observe` and
 * `AppOptions.logLevel`; this entry is for those who serve or log it themselves.
 */
export { startObserveServer, type ObserveServer, type ObservedApp } from './observe-server.js'
export { PrometheusExposition } from './prometheus.js'
export { dashboardPage } from './dashboard-page.js'
export { DashboardFeed, type DashboardTick, type NodeFigures, type ThroughputPoint } from './dashboard-feed.js'
export { observeOptionsFromEnv, resolveObserveOptions, DASHBOARD_PORT_ENV, METRICS_PORT_ENV, type ObserveOptions, type ResolvedObserveOptions } from './observe-options.js'
export { pinoLogger, isLogLevel, LOG_LEVELS, type LogLevel, type PinoAppLogger } from './pino-logger.js'
export { isLive, isReady, type AppState } from '../runtime/app-state.js'
export type { AppMetrics, TaskMetrics, OperatorMetrics, TopicMetrics, PartitionLag, StoreMetrics, RestoreMetrics, LatencySummary } from '../runtime/app-metrics.js'
