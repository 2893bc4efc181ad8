import type { Log } from '../../core/log/types.js'
import type { AppService, AppServiceContext } from '../../core/runtime/app-service.js'
import type { LogSink, RunnerOptions } from './context.js'
import { startConnector, type RunningConnector } from './start-connector.js'
import type { ConnectorSpec, SinkSpec, SourceSpec } from './spec.js'

/**
 * A connector as an app service: started on the app's log before its tasks, stopped after them.
 * `app.source(...)` and the `sink(...)` operator make these.
 *
 * @example
 * const service = connectorService({ name: 'orders-file', connector: fileSource, topic: 'orders', config })
 */
export function connectorService(spec: SourceSpec | SinkSpec | ConnectorSpec, options: RunnerOptions = {}): AppService {
  let running: RunningConnector | undefined
  let settle: { resolve(): void; reject(error: unknown): void } | undefined
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  done.catch(() => undefined) // observed by the app
  return {
    name: `connector ${spec.name}`,
    async start(log: Log, app?: AppServiceContext) {
      running = await startConnector(log, spec, app === undefined ? options : { clock: app.clock, logSink: appLogSink(app), ...options })
      running.done.then(() => settle?.resolve(), (error: unknown) => settle?.reject(error))
    },
    async stop() {
      if (running === undefined) settle?.resolve()
      await running?.stop()
    },
    done,
  }
}

/** Log lines of a connector in an app go to the app's logger (warn and error as warn; debug dropped). */
function appLogSink(app: AppServiceContext): LogSink {
  return (level, message, fields) => {
    const line = Object.keys(fields).length === 0 ? message : `${message} ${JSON.stringify(fields)}`
    if (level === 'warn' || level === 'error') app.logger.warn(line)
    else if (level === 'info') app.logger.info(line)
  }
}
