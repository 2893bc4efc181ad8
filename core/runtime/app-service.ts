import type { Clock } from '../clock.js'
import type { Log } from '../log/types.js'
import type { AppLogger } from './app-options.js'

/** What the app lends its services: its logger and its clock. */
export interface AppServiceContext {
  readonly logger: AppLogger
  readonly clock: Clock
}

/**
 * Something that runs beside an app's tasks on the app's log, started before them and stopped
 * after them: a connector declared with `app.source(...)` or the `sink(...)` operator. A service
 * whose `done` rejects stops the app with its error.
 *
 * @example
 * const heartbeat: AppService = { name: 'heartbeat', async start(log) { … }, async stop() { … }, done: Promise.resolve() }
 */
export interface AppService {
  readonly name: string
  /** Creates what it needs on the log and starts; resolves once it runs. */
  start(log: Log, context?: AppServiceContext): Promise<void>
  /** Stops gracefully. */
  stop(): Promise<void>
  /** Resolves when it has stopped; rejects with the error that stopped it. */
  readonly done: Promise<void>
}
