import { defineSource } from '../../api/define.js'
import { ConnectorError } from '../../api/errors.js'
import { httpSourceConfig } from './config.js'
import { PendingQueue } from './pending-queue.js'
import { startWebhookServer } from './webhook-server.js'

/**
 * `http-source`: a webhook. Clients POST records (JSON, NDJSON or text); each request is
 * answered 200 only once its records are durable in the log, 429 with `Retry-After` when the
 * log is behind, 400 when the body is not in the format. An HTTP request cannot be read again,
 * so the source has no offsets: a client that gets anything but a 2xx (or no answer, as when the
 * process dies) sends again, which makes delivery at least once.
 *
 * The bound port is logged (`listening`, field `port`) and reported as the gauge `port`.
 *
 * @example
 * await startConnector(log, { name: 'hooks', connector: httpSource, topic: 'events', config: { port: 8080, path: '/events', keyField: 'id' } })
 * // curl -X POST localhost:8080/events -d '{"id":"a","n":1}'  → 200 {"records":1}
 */
export const httpSource = defineSource<typeof httpSourceConfig, string, unknown>({
  name: 'http-source',
  description: 'receives records POSTed to an HTTP endpoint (a webhook), answering once they are in the log',
  config: httpSourceConfig,
  serdes: { key: 'string', value: 'json' },
  async start(config, context) {
    const queue = new PendingQueue(config.maxQueuedRecords)
    const server = await startWebhookServer({ config, queue, logger: context.logger, metrics: context.metrics, now: () => context.clock.now() }).catch((error: NodeJS.ErrnoException) => {
      throw new ConnectorError(context.name, `cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`, { cause: error, code: 'TRIBUTARY_HTTP_LISTEN' })
    })
    context.metrics.gauge('port', server.port)
    context.logger.info('listening', { host: config.host, port: server.port, path: config.path })
    const onAbort = (): void => server.stopAccepting()
    context.signal.addEventListener('abort', onAbort, { once: true })
    return {
      async poll() {
        await queue.whenWaiting(context.pollTimeoutMs, context.clock, context.signal)
        const records = queue.take(config.maxPollRecords)
        context.metrics.gauge('queuedRecords', queue.size)
        return { records }
      },
      async commit() {
        const answered = queue.commit()
        if (answered > 0) context.metrics.count('requestsAcknowledged', answered)
        context.metrics.gauge('queuedRecords', queue.size)
      },
      async stop() {
        context.signal.removeEventListener('abort', onAbort)
        server.stopAccepting()
        queue.abandon('the connector stopped before the records were committed')
        await server.close()
      },
    }
  },
})
