import { describe, expect, test } from 'vitest'
import { logMirrorSink } from '../../../connectors/log-mirror/index.js'
import { startConnector } from '../../../connectors/runner/index.js'
import type { LogRecord, ProducerRecord } from '../../../core/log/types.js'
import { useDataDir } from '../../log/embedded/helpers.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'

const source = useDataDir()
const target = useDataDir()

/** 300 records over 3 partitions: keys (some null), binary values, a tombstone, repeated headers, old timestamps. */
function input(topic: string): ProducerRecord[] {
  return Array.from({ length: 300 }, (_, i) => ({
    topic,
    partition: i % 3,
    key: i % 10 === 0 ? null : Buffer.from(`k${i}`),
    value: i === 42 ? null : Buffer.from(Array.from({ length: i % 17 }, (_, j) => (i * 31 + j) & 0xff)),
    headers: i % 3 === 0 ? [{ key: 'h', value: Buffer.from([i & 0xff]) }, { key: 'h', value: Buffer.alloc(0) }] : [],
    timestamp: 1_600_000_000_000 + i * 1000,
  }))
}

const bytesOf = (records: LogRecord[]) =>
  records.map(({ partition, offset, key, value, headers, timestamp }) => ({ partition, offset, key, value, headers: headers.map((header) => ({ key: header.key, value: Buffer.from(header.value) })), timestamp }))

describe('the log-mirror sink through the runner', () => {
  test('mirrors an embedded log\'s topics into another embedded log, byte for byte, partitions and offsets kept', async () => {
    const from = await source.open()
    for (const topic of ['orders', 'users']) {
      await from.createTopic(topic, { partitions: 3 })
      await from.producer().send(input(topic))
    }
    const running = await startConnector(from, { name: 'mirror', connector: logMirrorSink, topics: ['orders', 'users'], config: { target: { data: target.dir() }, topicSuffix: '.mirror', partitions: 3 }, batchSize: 64 }, { logSink: () => {} })
    await waitUntil(() => running.metrics().records === 600, 'every record put to the sink')
    await running.stop()
    await running.done

    const to = await target.open()
    expect(await to.listTopics()).toEqual(['orders.mirror', 'users.mirror'])
    for (const topic of ['orders', 'users']) {
      const copied = await readTopic(to, `${topic}.mirror`)
      expect(bytesOf(copied)).toEqual(bytesOf(await readTopic(from, topic)))
    }
  })

  test('a restarted mirror goes on from the committed offsets', async () => {
    const from = await source.open()
    await from.createTopic('orders', { partitions: 3 })
    const records = input('orders')
    await from.producer().send(records.slice(0, 150))
    const spec = { name: 'mirror', connector: logMirrorSink, topics: ['orders'], config: { target: { data: target.dir() }, partitions: 3 } } as const
    const first = await startConnector(from, spec, { logSink: () => {} })
    await waitUntil(() => first.metrics().records === 150, 'the first half mirrored')
    await first.stop()
    await from.producer().send(records.slice(150))
    const second = await startConnector(from, spec, { logSink: () => {} })
    await waitUntil(() => second.metrics().records === 150, 'the second half mirrored')
    await second.stop()

    const to = await target.open()
    expect(bytesOf(await readTopic(to, 'orders'))).toEqual(bytesOf(await readTopic(from, 'orders')))
  })
})
