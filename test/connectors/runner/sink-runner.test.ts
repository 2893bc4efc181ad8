import { describe, expect, it } from 'vitest'
import { ConnectorError, startConnector } from '../../../connectors/index.js'
import type { Log } from '../../../core/log/types.js'
import { memorySink, readTopic, until, useLogs, type MemoryTarget } from './fixtures.js'

const logs = useLogs()
const quiet = { logSink: () => undefined }

async function fill(log: Log, topic: string, values: readonly (string | null)[]): Promise<void> {
  await log.createTopic(topic, { partitions: 2 })
  const producer = log.producer()
  await producer.send(values.map((value, n) => ({ topic, key: Buffer.from(`k${n % 5}`), value: value === null ? null : Buffer.from(value) })))
  await producer.close()
}

const numbers = (count: number): string[] => Array.from({ length: count }, (_, n) => JSON.stringify({ n }))
const sortedValues = (records: { value: unknown }[]): number[] => records.map((r) => (r.value as { n: number }).n).sort((a, b) => a - b)

describe('sink runner', () => {
  it('puts every record, typed by the serdes, and commits only what was flushed', async () => {
    const log = await logs.open()
    await fill(log, 'orders', numbers(100))
    const target: MemoryTarget = { put: [], durable: [] }
    const running = await startConnector(log, { name: 'mem', connector: memorySink(target), topics: ['orders'], batchSize: 7, commitInterval: 5 }, quiet)
    await until(() => target.durable.length === 100)
    await running.stop()
    expect(sortedValues(target.durable)).toEqual(Array.from({ length: 100 }, (_, n) => n))
    expect(target.durable[0]!.key).toMatch(/^k\d$/)
    expect(target.stopped).toBe(true)
    // The group committed everything: a second run gets nothing again.
    const again: MemoryTarget = { put: [], durable: [] }
    const second = await startConnector(log, { name: 'mem', connector: memorySink(again), topics: ['orders'], commitInterval: 5 }, quiet)
    const producer = log.producer()
    await producer.send([{ topic: 'orders', key: Buffer.from('k9'), value: Buffer.from(JSON.stringify({ n: 100 })) }])
    await producer.close()
    await until(() => again.durable.length === 1)
    await second.stop()
    expect(sortedValues(again.durable)).toEqual([100])
  })

  it('loses nothing when a flush fails: the records come again after a restart', async () => {
    const log = await logs.open()
    await fill(log, 'orders', numbers(40))
    const target: MemoryTarget = { put: [], durable: [], failFlushes: { count: 1, error: new Error('target down') } }
    const running = await startConnector(log, { name: 'mem', connector: memorySink(target), topics: ['orders'], commitInterval: 5 }, quiet)
    await expect(running.done).rejects.toThrow('target down')
    expect(target.durable).toHaveLength(0)
    const restarted: MemoryTarget = { put: [], durable: [] }
    const second = await startConnector(log, { name: 'mem', connector: memorySink(restarted), topics: ['orders'], commitInterval: 5 }, quiet)
    await until(() => restarted.durable.length === 40)
    await second.stop()
    expect(sortedValues(restarted.durable)).toEqual(Array.from({ length: 40 }, (_, n) => n))
  })

  it('retries a flush that fails with a retriable error', async () => {
    const log = await logs.open()
    await fill(log, 'orders', numbers(10))
    const target: MemoryTarget = { put: [], durable: [], failFlushes: { count: 2, error: new ConnectorError('mem', 'busy', { retriable: true }) } }
    const running = await startConnector(log, { name: 'mem', connector: memorySink(target), topics: ['orders'], commitInterval: 5, retries: { initialDelay: 1, maxDelay: 2 } }, quiet)
    await until(() => target.durable.length === 10)
    await running.stop()
    expect(running.metrics().retries).toBe(2)
  })

  it('sends records it cannot convert, and records the sink refuses, to the dead-letter topic with their provenance', async () => {
    const log = await logs.open()
    await fill(log, 'orders', [...numbers(5), '{not json', JSON.stringify({ n: 666 }), ...numbers(3)])
    const target: MemoryTarget = { put: [], durable: [], refuse: (value) => (value as { n: number }).n === 666 }
    const running = await startConnector(log, { name: 'mem', connector: memorySink(target), topics: ['orders'], commitInterval: 5, deadLetterTopic: 'orders-dlq' }, quiet)
    await until(async () => target.durable.length === 8 && (await readTopic(log, 'orders-dlq')).length === 2)
    await running.stop()
    const dead = await readTopic(log, 'orders-dlq')
    const byValue = new Map(dead.map((r) => [r.value!.toString(), Object.fromEntries(r.headers.map((h) => [h.key, h.value.toString()]))]))
    expect(byValue.get('{not json')).toMatchObject({ 'tributary.error.code': 'TRIBUTARY_SERDE', 'tributary.source.topic': 'orders', 'tributary.connector': 'mem' })
    expect(byValue.get('{"n":666}')).toMatchObject({ 'tributary.error.code': 'TRIBUTARY_CONNECTOR', 'tributary.error.message': 'connector mem: refused {"n":666}', 'tributary.source.topic': 'orders' })
    expect(byValue.get('{"n":666}')!['tributary.source.offset']).toMatch(/^\d+$/)
    expect(running.metrics().deadLettered).toBe(2)
  })

  it('stops at a record it cannot convert when no dead-letter topic is configured, and commits nothing past it', async () => {
    const log = await logs.open()
    await fill(log, 'orders', ['{broken'])
    const target: MemoryTarget = { put: [], durable: [] }
    const running = await startConnector(log, { name: 'mem', connector: memorySink(target), topics: ['orders'] }, quiet)
    await expect(running.done).rejects.toThrow(/the record at orders\[\d\]@0 could not be converted or written, and no deadLetterTopic is configured/)
  })

  it('flushes and commits on a graceful stop', async () => {
    const log = await logs.open()
    await fill(log, 'orders', numbers(20))
    const target: MemoryTarget = { put: [], durable: [] }
    const running = await startConnector(log, { name: 'mem', connector: memorySink(target), topics: ['orders'], commitInterval: 3_600_000 }, quiet)
    await until(() => target.put.length === 20)
    expect(target.durable).toHaveLength(0)
    await running.stop()
    expect(target.durable).toHaveLength(20)
    const group = log.consumer({ groupId: 'connect-mem' })
    const committed = await group.committed([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }])
    await group.close()
    expect(committed.reduce((sum: number, offset) => sum + (offset ?? 0), 0)).toBe(20)
  })

  it('refuses a source connector given topics to read, and a sink without topics', async () => {
    const log = await logs.open()
    await expect(startConnector(log, { name: 'mem', connector: memorySink({ put: [], durable: [] }), topics: [] })).rejects.toThrow('connectors.mem.topics: must be a list of at least one topic to read')
  })
})
