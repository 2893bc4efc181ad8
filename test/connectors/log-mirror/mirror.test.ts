import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../../connectors/api/config-schema.js'
import { ConnectorError } from '../../../connectors/api/errors.js'
import type { SinkRecord, SinkTask } from '../../../connectors/api/types.js'
import { logMirrorSink } from '../../../connectors/log-mirror/index.js'
import { systemClock } from '../../../core/clock.js'
import { bytes } from '../../../core/serde/index.js'
import { readAll, useDataDir } from '../../log/embedded/helpers.js'
import { sinkContext } from '../datagen/context.js'

const target = useDataDir()

const started: SinkTask<Buffer, Buffer>[] = []

async function startMirror(config: object) {
  const context = sinkContext<Buffer, Buffer>({ clock: systemClock, serdes: { key: bytes(), value: bytes() }, name: 'mirror' })
  const task = (await logMirrorSink.start(parseConfig(logMirrorSink.config, { target: { data: target.dir() }, ...config }, 'config'), context as never)) as SinkTask<Buffer, Buffer>
  started.push(task)
  return { task, context }
}

async function stopAll(): Promise<void> {
  for (const task of started.splice(0)) await task.stop?.()
}

/** Records of `topic` over `partitions` partitions, with keys, headers, timestamps and a tombstone. */
function records(topic: string, partitions: number, count: number): SinkRecord<Buffer, Buffer>[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    partition: i % partitions,
    offset: Math.floor(i / partitions),
    timestamp: 1_700_000_000_000 + i,
    key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
    value: i === 7 ? null : Buffer.from([i & 0xff, 0, 0xff, i >> 8]),
    headers: i % 2 === 0 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }, { key: 'trace', value: Buffer.from('again') }] : [],
  }))
}

async function readTarget(topic: string, partition: number): Promise<{ key: Buffer | null; value: Buffer | null; timestamp: number; headers: unknown }[]> {
  const log = await target.open()
  try {
    const read = await readAll(log.consumer(), topic, partition)
    return read.map(({ key, value, timestamp, headers }) => ({ key, value, timestamp, headers }))
  } finally {
    await log.close()
  }
}

const asWritten = (list: SinkRecord<Buffer, Buffer>[], partition: number) =>
  list.filter((record) => record.partition === partition).map(({ key, value, timestamp, headers }) => ({ key, value, timestamp, headers }))

describe('the log-mirror sink into an embedded log', () => {
  test('copies keys, values, headers and timestamps byte for byte into the same partitions', async () => {
    const { task } = await startMirror({ partitions: 3 })
    const input = records('orders', 3, 60)
    await task.put(input.slice(0, 25))
    await task.put(input.slice(25))
    await task.flush()
    await stopAll()
    for (const partition of [0, 1, 2]) expect(await readTarget('orders', partition)).toEqual(asWritten(input, partition))
  })

  test('names target topics with a prefix and a suffix, or as rename says', async () => {
    const { task } = await startMirror({ topicPrefix: 'dc1.', topicSuffix: '-copy', rename: { users: 'all-users' } })
    await task.put([...records('orders', 1, 2), ...records('users', 1, 3)])
    await task.flush()
    await stopAll()
    const log = await target.open()
    expect(await log.listTopics()).toEqual(['all-users', 'dc1.orders-copy'])
    await log.close()
  })

  test('records of partitions the target topic lacks go to the partition of their key', async () => {
    const { task, context } = await startMirror({ partitions: 2 })
    const input = records('events', 4, 40).filter((record) => record.key !== null)
    await task.put(input)
    await task.flush()
    await stopAll()
    const copied = [...(await readTarget('events', 0)), ...(await readTarget('events', 1))]
    expect(copied).toHaveLength(input.length)
    expect(context.counters.get('repartitioned')).toBe(input.filter((record) => record.partition >= 2).length)
    expect(context.logLines.filter((line) => line.startsWith('warn'))).toHaveLength(1)
  })

  test('with createTopics false, a missing target topic stops the sink with an error naming it', async () => {
    const { task } = await startMirror({ createTopics: false })
    const put = task.put(records('orders', 1, 1))
    await expect(put).rejects.toThrow(ConnectorError)
    await expect(put).rejects.toThrow(/no topic orders/)
    await stopAll()
  })

  test('a record the target topic refuses goes to the dead-letter topic and the rest are copied', async () => {
    const setup = await target.open()
    await setup.createTopic('orders', { partitions: 1, maxRecordBytes: 200 })
    await setup.close()
    const { task, context } = await startMirror({})
    const input = records('orders', 1, 5)
    const huge: SinkRecord<Buffer, Buffer> = { ...input[2]!, value: Buffer.alloc(1000) }
    await task.put([input[0]!, input[1]!, huge, input[3]!])
    await task.flush()
    await stopAll()
    expect(context.deadLetters.map((letter) => letter.record)).toEqual([huge])
    expect((await readTarget('orders', 0)).map((record) => record.value)).toEqual([input[0], input[1], input[3]].map((record) => record!.value))
  })

  test('a target that is neither a directory nor Kafka is a ConfigError', async () => {
    await expect(startMirror({ target: { s3: 'bucket' } })).rejects.toThrow(/target/)
  })
})
