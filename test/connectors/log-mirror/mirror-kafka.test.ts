/**
 * The log-mirror sink from an embedded log's records into a real Kafka broker. Runs when
 * `kafkaTestsWanted()` (CI, or TRIBUTARY_KAFKA=1), against the broker the global setup shares.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { parseConfig } from '../../../connectors/api/config-schema.js'
import type { SinkRecord, SinkTask } from '../../../connectors/api/types.js'
import { logMirrorSink } from '../../../connectors/log-mirror/index.js'
import { systemClock } from '../../../core/clock.js'
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import type { LogRecord } from '../../../core/log/types.js'
import { bytes } from '../../../core/serde/index.js'
import { startConnector } from '../../../connectors/runner/index.js'
import { kafkaTestsWanted } from '../../kafka/broker.js'
import { useDataDir } from '../../log/embedded/helpers.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'
import { useTestBroker } from '../../kafka/test-broker.js'
import { sinkContext } from '../datagen/context.js'

const TEST_TIMEOUT_MS = 60_000

describe.skipIf(!kafkaTestsWanted())('the log-mirror sink into Kafka', () => {
  const bootstrap = useTestBroker()
  const source = useDataDir()
  const tasks: SinkTask<Buffer, Buffer>[] = []
  afterEach(async () => {
    for (const task of tasks.splice(0)) await task.stop?.()
  })

  test(
    'copies records into the same partitions of a topic it creates on the broker, byte for byte',
    async () => {
      const topic = `mirror-${process.pid}-${Date.now()}`
      const context = sinkContext<Buffer, Buffer>({ clock: systemClock, serdes: { key: bytes(), value: bytes() }, name: 'to-kafka' })
      const config = parseConfig(logMirrorSink.config, { target: { kafka: bootstrap() }, topicPrefix: 'copy-', partitions: 2 }, 'config')
      const task = (await logMirrorSink.start(config, context as never)) as SinkTask<Buffer, Buffer>
      tasks.push(task)
      const input: SinkRecord<Buffer, Buffer>[] = Array.from({ length: 50 }, (_, i) => ({
        topic,
        partition: i % 2,
        offset: i >> 1,
        timestamp: 1_700_000_000_000 + i,
        key: Buffer.from(`k${i}`),
        value: Buffer.from([i, 255 - i]),
        headers: [{ key: 'n', value: Buffer.from(String(i)) }],
      }))
      await task.put(input)
      await task.flush()

      const kafka = await openKafkaLog({ brokers: bootstrap() })
      const consumer = kafka.consumer()
      try {
        await consumer.assign([0, 1].map((partition) => ({ topic: `copy-${topic}`, partition })))
        await consumer.seekToBeginning()
        const read: LogRecord[] = []
        while (read.length < input.length) read.push(...(await consumer.poll({ timeoutMs: 1000 })))
        const shape = (record: { partition: number; key: Buffer | null; value: Buffer | null; timestamp: number; headers: readonly { key: string; value: Buffer }[] }) => ({
          partition: record.partition,
          key: record.key,
          value: record.value,
          timestamp: record.timestamp,
          headers: record.headers.map((header) => ({ key: header.key, value: Buffer.from(header.value) })),
        })
        const order = (a: { partition: number; timestamp: number }, b: { partition: number; timestamp: number }) => a.partition - b.partition || a.timestamp - b.timestamp
        expect(read.map(shape).sort(order)).toEqual(input.map(shape).sort(order))
        expect((await kafka.describeTopic(`copy-${topic}`)).partitions).toHaveLength(2)
      } finally {
        await consumer.close()
        await kafka.close()
      }
    },
    TEST_TIMEOUT_MS,
  )

  test(
    'mirrors an embedded log\'s topic to Kafka through the runner, partitions kept',
    async () => {
      const topic = `edge-${process.pid}-${Date.now()}`
      const from = await source.open()
      await from.createTopic(topic, { partitions: 3 })
      await from.producer().send(Array.from({ length: 90 }, (_, i) => ({ topic, partition: i % 3, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 1_700_000_000_000 + i })))
      const running = await startConnector(from, { name: 'edge-to-kafka', connector: logMirrorSink, topics: [topic], config: { target: { kafka: bootstrap() }, partitions: 3 } }, { logSink: () => {} })
      await waitUntil(() => running.metrics().records === 90, 'every record put to the sink')
      await running.stop()
      await running.done

      const kafka = await openKafkaLog({ brokers: bootstrap() })
      try {
        const shape = (record: LogRecord) => ({ partition: record.partition, offset: record.offset, key: record.key, value: record.value, timestamp: record.timestamp })
        const consumer = kafka.consumer()
        const copied: LogRecord[] = []
        try {
          await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })))
          await consumer.seekToBeginning()
          while (copied.length < 90) copied.push(...(await consumer.poll({ timeoutMs: 1000 })))
        } finally {
          await consumer.close()
        }
        const order = (a: LogRecord, b: LogRecord) => a.partition - b.partition || a.offset - b.offset
        expect(copied.sort(order).map(shape)).toEqual((await readTopic(from, topic)).map(shape))
      } finally {
        await kafka.close()
      }
    },
    TEST_TIMEOUT_MS,
  )
})
