import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openEmbeddedLog, type Log, type LogRecord } from 'tributary'
import { startConnector, type RunningConnector } from 'tributary/connectors'
import restPollSource, { EndpointError } from '../src/index.js'
import { startEndpoint, type TestEndpoint } from './endpoint.js'

let dir: string
let log: Log
let endpoint: TestEndpoint
const running: RunningConnector[] = []

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-poll-'))
  log = await openEmbeddedLog({ dir, durability: 'none' })
  endpoint = await startEndpoint()
})

afterEach(async () => {
  for (const connector of running.splice(0)) await connector.stop()
  await endpoint.close()
  await log.close()
  fs.rmSync(dir, { recursive: true, force: true })
  delete process.env['REST_POLL_TEST_TOKEN']
})

async function start(config: object, extra: object = {}): Promise<RunningConnector> {
  const connector = await startConnector(log, { name: 'orders-api', connector: restPollSource, topic: 'orders', config: { url: endpoint.url, itemsField: 'data', interval: '20ms', ...config }, retries: { max: 20, initialDelay: 5, maxDelay: 20 }, ...extra }, { logSink: () => {} })
  running.push(connector)
  return connector
}

/** Waits (bounded) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function read(topic: string): Promise<LogRecord[]> {
  const consumer = log.consumer()
  try {
    await consumer.assign([{ topic, partition: 0 }])
    await consumer.seekToBeginning()
    const records: LogRecord[] = []
    for (let batch = await consumer.poll(); batch.length > 0; batch = await consumer.poll()) records.push(...batch)
    return records
  } finally {
    await consumer.close()
  }
}

const values = (records: LogRecord[]) => records.map((record) => JSON.parse(record.value?.toString() ?? 'null') as { id: number })

describe('the rest-poll source', () => {
  test('emits the items of the endpoint in id order, keyed by id, and then only the new ones', async () => {
    endpoint.items = [{ id: 3, total: 30 }, { id: 1, total: 10 }, { id: 2, total: 20 }]
    const connector = await start({})
    await until(() => connector.metrics().records === 3)
    endpoint.items.push({ id: 4, total: 40 })
    await until(() => connector.metrics().records === 4)
    await connector.stop()
    const records = await read('orders')
    expect(values(records)).toEqual([{ id: 1, total: 10 }, { id: 2, total: 20 }, { id: 3, total: 30 }, { id: 4, total: 40 }])
    expect(records.map((record) => record.key?.toString())).toEqual(['1', '2', '3', '4'])
  })

  test('a restarted source goes on after the last id it stored, telling the endpoint with sinceParam', async () => {
    endpoint.items = [{ id: 1 }, { id: 2 }]
    const first = await start({ sinceParam: 'since' })
    await until(() => first.metrics().records === 2)
    await first.stop()
    endpoint.items.push({ id: 3 })
    endpoint.requests.length = 0
    const second = await start({ sinceParam: 'since' })
    await until(() => second.metrics().records === 1)
    await second.stop()
    expect(values(await read('orders'))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
    expect(endpoint.requests[0]?.path).toBe('/orders?since=2')
  })

  test('sends the token as a bearer token and never logs it', async () => {
    process.env['REST_POLL_TEST_TOKEN'] = 's3cret-token-value'
    endpoint.items = [{ id: 1 }]
    const lines: string[] = []
    const connector = await startConnector(log, { name: 'orders-api', connector: restPollSource, topic: 'orders', config: { url: endpoint.url, itemsField: 'data', interval: '20ms', token: { env: 'REST_POLL_TEST_TOKEN' } } }, { logSink: (level, message, fields) => void lines.push(`${level} ${message} ${JSON.stringify(fields)}`) })
    running.push(connector)
    await until(() => connector.metrics().records === 1)
    expect(endpoint.requests[0]?.authorization).toBe('Bearer s3cret-token-value')
    await connector.stop()
    expect(lines.join('\n')).toContain('started')
    expect(lines.join('\n')).not.toContain('s3cret-token-value')
  })

  test('an overloaded endpoint (503) is retried with backoff, then read', async () => {
    endpoint.items = [{ id: 1 }]
    endpoint.failWith = { status: 503 }
    const connector = await start({})
    await until(() => connector.metrics().retries >= 2)
    endpoint.failWith = undefined
    await until(() => connector.metrics().records === 1)
  })

  test('a refused token (401) stops the connector with an error that says to check it', async () => {
    endpoint.failWith = { status: 401 }
    const connector = await start({})
    await expect(connector.done).rejects.toThrow(/401 \(check the token\)/)
  })

  test('a body that is not JSON goes to the dead-letter topic, and polling goes on', async () => {
    endpoint.rawBody = '<html>maintenance</html>'
    const connector = await start({}, { deadLetterTopic: 'orders-dlq' })
    await until(() => connector.metrics().deadLettered >= 1)
    endpoint.rawBody = undefined
    endpoint.items = [{ id: 1 }]
    await until(() => connector.metrics().records >= 2)
    await connector.stop()
    expect((await read('orders-dlq'))[0]?.value?.toString()).toContain('maintenance')
  })

  test('an endpoint error carries its status and Retry-After', () => {
    const error = new EndpointError('orders-api', 'answered 429', { status: 429, retryAfterMs: 3000 })
    expect(error).toMatchObject({ retriable: true, status: 429, retryAfterMs: 3000, code: 'REST_POLL_ENDPOINT' })
    expect(new EndpointError('orders-api', 'answered 404', { status: 404 }).retriable).toBe(false)
  })
})
