import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig, type ConfigInput } from '../../../connectors/api/config-schema.js'
import { ConnectorError } from '../../../connectors/api/errors.js'
import { Secret } from '../../../connectors/api/secret.js'
import type { SinkTask } from '../../../connectors/api/types.js'
import { httpSink } from '../../../connectors/http/index.js'
import { startTestServer, type Answer, type Received, type TestServer } from './http-helpers.js'
import { sinkContext, sinkRecords } from './task-context.js'

type SinkInput = Omit<ConfigInput<typeof httpSink.config>, 'url'>
interface Item { topic: string; partition: number; offset: number; key: string; value: { n: number } }

const servers: TestServer[] = []
const tasks: SinkTask<string, unknown>[] = []

afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.stop?.()))
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function serve(answer?: (request: Received, index: number) => Answer): Promise<TestServer> {
  const server = await startTestServer(answer)
  servers.push(server)
  return server
}

async function startSink(url: string, input: SinkInput = {}): Promise<{ task: SinkTask<string, unknown>; context: ReturnType<typeof sinkContext> }> {
  const context = sinkContext()
  const task = await httpSink.start(parseConfig(httpSink.config, { url, ...input }, 'config'), context)
  tasks.push(task)
  return { task, context }
}

const itemsOf = (request: Received): Item[] => JSON.parse(request.body) as Item[]
const keyOf = (request: Received): string | undefined => request.headers['idempotency-key'] as string | undefined

async function flushError(task: SinkTask<string, unknown>): Promise<ConnectorError & { retryAfterMs?: number }> {
  const error: unknown = await task.flush().then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(ConnectorError)
  return error as ConnectorError & { retryAfterMs?: number }
}

describe('http-sink', () => {
  it('buffers on put and sends batches of at most batchSize records of one partition on flush', async () => {
    const server = await serve()
    process.env.HTTP_SINK_TEST_TOKEN = 'sink-token-5b1e'
    const { task } = await startSink(server.url, { batchSize: 10, token: Secret.fromEnv('HTTP_SINK_TEST_TOKEN'), headers: { 'X-Source': 'tributary' } })
    await task.put([...sinkRecords('orders', 0, 0, 15), ...sinkRecords('orders', 1, 100, 5)])
    await task.put(sinkRecords('orders', 0, 15, 10))
    expect(server.received).toHaveLength(0)
    await task.flush()
    expect(server.received.map(keyOf)).toEqual(['orders-0-0-9', 'orders-0-10-19', 'orders-1-100-104', 'orders-0-20-24'])
    for (const request of server.received) {
      expect(request.method).toBe('POST')
      expect(request.headers['content-type']).toBe('application/json')
      expect(request.headers.authorization).toBe('Bearer sink-token-5b1e')
      expect(request.headers['x-source']).toBe('tributary')
      const items = itemsOf(request)
      expect(`${items[0]!.topic}-${items[0]!.partition}-${items[0]!.offset}-${items.at(-1)!.offset}`).toBe(keyOf(request))
    }
    const delivered = server.received.flatMap(itemsOf)
    expect(delivered.filter((item) => item.partition === 0).map((item) => item.value.n)).toEqual(Array.from({ length: 25 }, (_, n) => n))
    expect(delivered[0]).toEqual({ topic: 'orders', partition: 0, offset: 0, timestamp: 1_700_000_000_000, key: 'k0', value: { n: 0 } })
  })

  it('sends NDJSON of values alone with PUT when so configured', async () => {
    const server = await serve()
    const { task } = await startSink(server.url, { method: 'PUT', format: 'ndjson', payload: 'value' })
    await task.put(sinkRecords('t', 0, 0, 3))
    await task.flush()
    expect(server.received.map((request) => [request.method, request.headers['content-type'], request.body])).toEqual([['PUT', 'application/x-ndjson', '{"n":0}\n{"n":1}\n{"n":2}\n']])
  })

  it('throws a retriable error on a 503 and sends the same batch, with the same key, when flushed again', async () => {
    const server = await serve((_, index) => (index === 0 ? { status: 503, body: 'warming up' } : { status: 200 }))
    const { task } = await startSink(server.url)
    await task.put(sinkRecords('t', 0, 7, 4))
    const error = await flushError(task)
    expect([error.retriable, error.code]).toEqual([true, 'TRIBUTARY_HTTP_UNAVAILABLE'])
    expect(error.message).toContain('HTTP 503: warming up')
    await task.put(sinkRecords('t', 0, 11, 2))
    await task.flush()
    expect(server.received.map(keyOf)).toEqual(['t-0-7-10', 't-0-7-10', 't-0-11-12'])
    expect(server.received[1]!.body).toBe(server.received[0]!.body)
  })

  it('honours a 429\'s Retry-After: the error carries it and the next request waits for it', async () => {
    const server = await serve((_, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }))
    const { task } = await startSink(server.url)
    await task.put(sinkRecords('t', 0, 0, 1))
    const error = await flushError(task)
    expect([error.retriable, error.retryAfterMs]).toEqual([true, 1000])
    await task.flush()
    expect(server.received[1]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(900)
  })

  it('sends a refused batch record by record and dead-letters the one the server refuses, with status and response', async () => {
    const refuses = (request: Received): boolean => itemsOf(request).some((item) => item.value.n === 5)
    const server = await serve((request) => (refuses(request) ? { status: 400, body: `{"error":"n must not be 5"}` } : { status: 200 }))
    const { task, context } = await startSink(server.url)
    await task.put(sinkRecords('t', 0, 0, 10))
    await task.flush()
    expect(context.deadLetters.map((letter) => letter.record.offset)).toEqual([5])
    const error = context.deadLetters[0]!.error as ConnectorError
    expect(error.code).toBe('TRIBUTARY_HTTP_REFUSED')
    expect(error.message).toContain('HTTP 400: {"error":"n must not be 5"}')
    const delivered = server.received.filter((request) => !refuses(request)).flatMap(itemsOf)
    expect(delivered.map((item) => item.offset)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9])
    expect(server.received.slice(1).map(keyOf)).toEqual(Array.from({ length: 10 }, (_, n) => `t-0-${n}-${n}`))
  })

  it('dead-letters a record whose value cannot be written as JSON when it is put, and sends the rest', async () => {
    const server = await serve()
    const { task, context } = await startSink(server.url)
    const [first, second, third] = sinkRecords('t', 0, 0, 3)
    await task.put([first!, { ...second!, value: { n: 10n } }, third!])
    await task.flush()
    expect(context.deadLetters.map((letter) => [letter.record.offset, (letter.error as ConnectorError).code])).toEqual([[1, 'TRIBUTARY_HTTP_UNENCODABLE']])
    expect(server.received.flatMap(itemsOf).map((item) => item.offset)).toEqual([0, 2])
  })

  it('resumes a refused batch after a retriable failure where it stopped, sending no record twice', async () => {
    let fiveFailedOnce = false
    const server = await serve((request) => {
      const items = itemsOf(request)
      if (items.length > 1) return { status: 422 }
      if (items[0]!.offset === 5 && !fiveFailedOnce) return (fiveFailedOnce = true), { status: 502 }
      return { status: 200 }
    })
    const { task, context } = await startSink(server.url)
    await task.put(sinkRecords('t', 0, 0, 8))
    expect((await flushError(task)).retriable).toBe(true)
    await task.flush()
    expect(server.received.slice(1).map((request) => itemsOf(request)[0]!.offset)).toEqual([0, 1, 2, 3, 4, 5, 5, 6, 7])
    expect(context.deadLetters).toEqual([])
  })

  it('counts a request with no answer within timeout as a retriable failure', async () => {
    const server = await serve(() => ({ status: 200, hang: true }))
    const { task } = await startSink(server.url, { timeout: 200 })
    await task.put(sinkRecords('t', 0, 0, 1))
    const error = await flushError(task)
    expect([error.retriable, error.code]).toEqual([true, 'TRIBUTARY_HTTP_TIMEOUT'])
  })

  it('counts a refused connection as a retriable failure', async () => {
    const server = await serve()
    const url = server.url
    await servers.pop()!.close()
    const { task } = await startSink(url)
    await task.put(sinkRecords('t', 0, 0, 1))
    const error = await flushError(task)
    expect([error.retriable, error.code, error.message]).toEqual([true, 'TRIBUTARY_HTTP_NETWORK', expect.stringContaining('ECONNREFUSED')])
  })

  it('stops with a non-retriable error on a 401, dead-lettering nothing', async () => {
    const server = await serve(() => ({ status: 401 }))
    const { task, context } = await startSink(server.url)
    await task.put(sinkRecords('t', 0, 0, 3))
    const error = await flushError(task)
    expect([error.retriable, error.code]).toEqual([false, 'TRIBUTARY_HTTP_MISCONFIGURED'])
    expect(context.deadLetters).toEqual([])
  })

  it('never puts the token in an error, even when the server echoes it', async () => {
    const server = await serve((request) => ({ status: 400, body: `bad request from ${String(request.headers.authorization)}` }))
    process.env.HTTP_SINK_TEST_TOKEN = 'sink-token-5b1e'
    const { task, context } = await startSink(`${server.url}?api_key=q-secret`, { token: Secret.fromEnv('HTTP_SINK_TEST_TOKEN') })
    await task.put(sinkRecords('t', 0, 0, 1))
    await task.flush()
    const text = JSON.stringify(context.deadLetters.map((letter) => letter.error.message)) + JSON.stringify(context.lines)
    expect(text).toContain('Bearer [redacted]')
    expect(text).not.toContain('sink-token-5b1e')
    expect(text).not.toContain('q-secret')
  })
})
