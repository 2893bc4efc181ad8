import { ConfigError } from '../errors.js'

/** The app's HTTP server for metrics, health and the dashboard (see `AppOptions.observe`). */
export interface ObserveOptions {
  /** The port to listen on; 0 picks a free one (read it with `app.httpAddress()`). */
  readonly port: number
  /** The address to listen on. Default 127.0.0.1 (this machine only). */
  readonly host?: string
  /** Serve the live dashboard at `/` (and its events at `/events`). Default true. */
  readonly dashboard?: boolean
}

export interface ResolvedObserveOptions {
  readonly port: number
  readonly host: string
  readonly dashboard: boolean
  /** Asked for by TRIBUTARY_DASHBOARD_PORT or TRIBUTARY_METRICS_PORT: one app of the process at a time gets it. */
  readonly fromEnvironment: boolean
}

/** Serves everything, the dashboard too. */
export const DASHBOARD_PORT_ENV = 'TRIBUTARY_DASHBOARD_PORT'
/** Serves metrics and health only. */
export const METRICS_PORT_ENV = 'TRIBUTARY_METRICS_PORT'

/**
 * The server the environment asks for: `TRIBUTARY_DASHBOARD_PORT` (with the dashboard) or
 * `TRIBUTARY_METRICS_PORT` (metrics and health only); both at once must name the same port.
 *
 * @example
 * observeOptionsFromEnv({ TRIBUTARY_DASHBOARD_PORT: '8080' }) // { port: 8080, dashboard: true }
 */
export function observeOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): ObserveOptions | undefined {
  const dashboard = portOf(env[DASHBOARD_PORT_ENV], DASHBOARD_PORT_ENV)
  const metrics = portOf(env[METRICS_PORT_ENV], METRICS_PORT_ENV)
  if (dashboard !== undefined && metrics !== undefined && dashboard !== metrics) {
    throw new ConfigError(METRICS_PORT_ENV, `the app serves metrics and its dashboard on one port: ${METRICS_PORT_ENV} (${metrics}) and ${DASHBOARD_PORT_ENV} (${dashboard}) differ`)
  }
  if (dashboard !== undefined) return { port: dashboard, dashboard: true }
  if (metrics !== undefined) return { port: metrics, dashboard: false }
  return undefined
}

/**
 * Fills in defaults and checks the port.
 *
 * @example
 * resolveObserveOptions({ port: 0 }) // { port: 0, host: '127.0.0.1', dashboard: true, fromEnvironment: false }
 */
export function resolveObserveOptions(options: ObserveOptions | undefined, fromEnvironment = false): ResolvedObserveOptions | undefined {
  if (options === undefined) return undefined
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) throw new ConfigError('observe.port', `must be an integer from 0 to 65535, got ${String(options.port)}`)
  return { port: options.port, host: options.host ?? '127.0.0.1', dashboard: options.dashboard ?? true, fromEnvironment }
}

function portOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) throw new ConfigError(name, `must be a port number from 0 to 65535, got ${JSON.stringify(value)}`)
  return port
}
