import { afterEach, describe, expect, it } from 'vitest'
import { httpSink, httpSource } from '../../../connectors/http/index.js'
import { startConnector, type RunningConnector } from '../../../connectors/runner/index.js'
import { captureLines, readTopic, until, useLogs } from '../runner/fixtures.js'
import { send, startTestServer, type Received } from './http-helpers.js'

const logs = useLogs()
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function stopLater(running: RunningConnector): RunningConnector {
  cleanups.push(() => running.stop())
  return running
}

describe('http connectors on the runner', () => {
  it.each(['at_least_once', 'exactly_once'] as const)('http-source (%s): a POST is answered only once its records can be read from the log', async (processing) => {
    const log = await logs.open()
    const { sink } = captureLines()
    const running = stopLater(await startConnector(log, { name: 'hooks', connector: httpSource, topic: 'events', processing, commitInterval: 20, config: { path: '/hook', keyField: 'id' } }, { logSink: sink }))
    const url = `http://127.0.0.1:${running.metrics().custom.port}/hook`
    const reply = await send(url, { body: JSON.stringify([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]) })
    expect(reply.status).toBe(200)
    const records = await readTopic(log, 'events')
    expect(records.map((record) => [record.key?.toString(), JSON.parse(record.value!.toString())])).toEqual([['a', { id: 'a', n: 1 }], ['b', { id: 'b', n: 2 }]])
    expect(running.metrics().records).toBe(2)
  })

  it('http-source: a graceful stop answers what it holds and writes what it answered 200', async () => {
    const log = await logs.open()
    const { sink } = captureLines()
    const running = await startConnector(log, { name: 'hooks', connector: httpSource, topic: 'events', commitInterval: 60_000, config: {} }, { logSink: sink })
    const url = `http://127.0.0.1:${running.metrics().custom.port}/`
    const held = send(url, { body: '{"n":1}' })
    await until(() => running.metrics().records === 1)
    await running.stop()
    await running.done
    const reply = await held
    expect(reply.status).toBe(200)
    expect(await readTopic(log, 'events')).toHaveLength(1)
  })

  it('http-sink: delivers a topic, retries a 503, and dead-letters the record the server refuses', async () => {
    const log = await logs.open()
    await log.createTopic('orders', { partitions: 2 })
    const producer = log.producer()
    await producer.send(Array.from({ length: 50 }, (_, n) => ({ topic: 'orders', partition: n % 2, key: Buffer.from(`k${n}`), value: Buffer.from(JSON.stringify({ n })) })))
    await producer.close()
    const refuses = (request: Received): boolean => (JSON.parse(request.body) as { value: { n: number } }[]).some((item) => item.value.n === 13)
    const server = await startTestServer((request, index) => (index === 0 ? { status: 503 } : refuses(request) ? { status: 400, body: 'n 13 is unlucky' } : { status: 200 }))
    cleanups.push(() => server.close())
    const { sink } = captureLines()
    const running = stopLater(await startConnector(log, { name: 'to-api', connector: httpSink, topics: ['orders'], deadLetterTopic: 'orders-refused', commitInterval: 20, retries: { initialDelay: 10 }, config: { url: server.url, batchSize: 10 } }, { logSink: sink }))
    await until(async () => (await readTopic(log, 'orders-refused')).length === 1 && delivered(server.received, refuses).size === 49)
    expect([...delivered(server.received, refuses)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n).filter((n) => n !== 13))
    const [letter] = await readTopic(log, 'orders-refused')
    expect(JSON.parse(letter!.value!.toString())).toEqual({ n: 13 })
    expect(letter!.headers.map((header) => `${header.key}=${header.value.toString()}`).join('\n')).toContain('HTTP 400: n 13 is unlucky')
    expect(running.metrics().retries).toBeGreaterThanOrEqual(1)
  })
})

function delivered(received: readonly Received[], refuses: (request: Received) => boolean): Set<number> {
  const values = new Set<number>()
  for (const request of received.slice(1)) if (!refuses(request)) for (const item of JSON.parse(request.body) as { value: { n: number } }[]) values.add(item.value.n)
  return values
}
