import http from 'node:http'
import https from 'node:https'
import type { Clock } from '../../../core/clock.js'
import { ConfigError } from '../../../core/errors.js'
import { defineSink } from '../../api/define.js'
import { ConnectorError } from '../../api/errors.js'
import { redact } from '../../api/secret.js'
import type { SinkRecord } from '../../api/types.js'
import { BatchBuffer, idempotencyKeyOf, type Batch, type Entry } from './batches.js'
import { httpSinkConfig } from './config.js'
import { contentTypeOf, encodeItem, joinItems } from './encode-body.js'
import { judgeOutcome } from './judge-outcome.js'
import { sendRequest } from './send-request.js'

/**
 * `http-sink`: sends records to an HTTP endpoint in batches (a JSON array or NDJSON per
 * request, records of one partition each), with an `Idempotency-Key` header that names the
 * batch's records (`orders-0-1200-1699`), so a retried or replayed batch carries the same key.
 * `flush` resolves once every request got a 2xx. A 5xx, 408, 429, a timeout or a network error is
 * retriable (after the server's `Retry-After`); any other 4xx means the records are bad: the
 * batch is sent again record by record and each record the server still refuses goes to the
 * dead-letter topic with the status and the response in its error.
 *
 * @example
 * await startConnector(log, { name: 'to-api', connector: httpSink, topics: ['orders'], deadLetterTopic: 'orders-refused', config: { url: 'https://api.example.com/orders', token: { env: 'API_TOKEN' } } })
 */
export const httpSink = defineSink({
  name: 'http-sink',
  description: 'sends records to an HTTP endpoint in batches, each with an idempotency key',
  config: httpSinkConfig,
  serdes: { key: 'string', value: 'json' },
  start(config, context) {
    const url = new URL(config.url)
    const shownUrl = `${url.origin}${url.pathname}`
    const fixedHeaders = { ...checkedHeaders(config.headers), 'content-type': contentTypeOf(config), ...(config.token === undefined ? {} : { authorization: `Bearer ${config.token.reveal()}` }) }
    const secrets = config.token === undefined ? [] : [config.token]
    const agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true })
    const buffer = new BatchBuffer(config.batchSize)
    let notBefore = 0

    const post = async (entries: readonly Entry[], idempotencyKey: string): Promise<'delivered' | ConnectorError> => {
      const waitMs = notBefore - context.clock.now()
      if (waitMs > 0) await pause(waitMs, context.clock, context.signal)
      const body = joinItems(entries.map((entry) => entry.item), config.format)
      const outcome = await sendRequest({ url, method: config.method, headers: { ...fixedHeaders, 'idempotency-key': idempotencyKey }, body, timeoutMs: config.timeout, agent, clock: context.clock })
      context.metrics.count('requests')
      const verdict = judgeOutcome(outcome, { connector: context.name, what: `${config.method} ${shownUrl} (${idempotencyKey}, ${entries.length} records)`, nowMs: context.clock.now(), maxRetryAfterMs: config.maxRetryAfter, redactText: (text) => redact(text, secrets) })
      if (verdict.kind === 'delivered') return 'delivered'
      if (verdict.kind === 'retry') {
        context.metrics.count('failedRequests')
        if (verdict.error.retryAfterMs !== undefined) notBefore = context.clock.now() + verdict.error.retryAfterMs
        throw verdict.error
      }
      return verdict.error
    }

    const refuse = async (record: SinkRecord, error: Error): Promise<void> => {
      await context.deadLetter(record, error)
      context.metrics.count('recordsRefused')
    }

    const deliver = async (batch: Batch): Promise<void> => {
      if (!batch.refused) {
        const result = await post(batch.entries, batch.idempotencyKey)
        if (result === 'delivered') return context.metrics.count('recordsDelivered', batch.entries.length)
        batch.refused = true
        context.logger.warn('batch refused; sending its records one by one', { idempotencyKey: batch.idempotencyKey, records: batch.entries.length, error: result.message })
        if (batch.entries.length === 1) {
          await refuse(batch.entries[0]!.record, result)
          batch.isolatedCount = 1
          return
        }
      }
      for (; batch.isolatedCount < batch.entries.length; batch.isolatedCount++) {
        const entry = batch.entries[batch.isolatedCount]!
        const result = await post([entry], idempotencyKeyOf([entry.record]))
        if (result === 'delivered') context.metrics.count('recordsDelivered')
        else await refuse(entry.record, result)
      }
    }

    return {
      async put(records) {
        for (const record of records) {
          let item: string
          try {
            item = encodeItem(record, config.payload)
          } catch (error) {
            await refuse(record, new ConnectorError(context.name, `the record at ${record.topic}[${record.partition}]@${record.offset} cannot be sent as JSON: ${(error as Error).message}`, { code: 'TRIBUTARY_HTTP_UNENCODABLE', cause: error }))
            continue
          }
          buffer.add({ record, item })
        }
        context.metrics.gauge('bufferedRecords', buffer.size)
      },
      async flush() {
        buffer.sealAll()
        for (let batch = buffer.oldest(); batch !== undefined; batch = buffer.oldest()) {
          await deliver(batch)
          buffer.delivered(batch)
        }
        context.metrics.gauge('bufferedRecords', buffer.size)
      },
      async stop() {
        agent.destroy()
      },
    }
  },
})

function checkedHeaders(headers: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const checked: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') throw new ConfigError(`headers.${name}`, `must be a string, got ${typeof value}`)
    checked[name.toLowerCase()] = value
  }
  return checked
}

/** Waits out a server's Retry-After, ended early by a stop. */
function pause(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clock.clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = clock.setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
