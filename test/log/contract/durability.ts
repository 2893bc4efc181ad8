/** Durability: what a log holds after it is closed and opened again on the same data. */
import { expect, test } from 'vitest'
import type { LogRecord, TopicDescription } from '../../../core/log/types.js'
import type { ContractContext } from './context.js'
import {
  bytes,
  consumerOfPartition0,
  drain,
  drainUntilValue,
  makeTopic,
  offsetsOf,
  partitionsOf,
  produceN,
  text,
  uniqueName,
  valuesOf,
} from './helpers.js'

const BASE_TIMESTAMP = 1_600_000_000_000

/** A record as plain data, so two reads compare with toEqual and diff readably. */
function plain(record: LogRecord) {
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: text(record.key),
    value: text(record.value),
    headers: record.headers.map((header) => [header.key, text(header.value)]),
  }
}

/** Everything of a description but `sizeBytes`, which a backend may recompute. */
function shape(description: TopicDescription) {
  return {
    name: description.name,
    config: description.config,
    partitions: description.partitions.map(({ partition, startOffset, endOffset }) => ({ partition, startOffset, endOffset })),
  }
}

export function durabilityTests(context: ContractContext): void {
  test('every record is still there after reopen, at the same offset and with the same contents', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    await context.producer().send([
      ...[0, 1, 2].map((index) => ({
        topic,
        partition: 0,
        key: bytes(`k${index}`),
        value: bytes(`v${index}`),
        timestamp: BASE_TIMESTAMP + index,
        headers: [{ key: 'h', value: bytes(`${index}`) }],
      })),
      { topic, partition: 1, key: null, value: null, timestamp: BASE_TIMESTAMP },
    ])
    const reader = context.consumer()
    await reader.assign(partitionsOf(topic, 2))
    const before = (await drain(reader, 4)).map(plain)
    expect(before).toHaveLength(4)

    await context.reopen()
    const rereader = context.consumer()
    await rereader.assign(partitionsOf(topic, 2))
    const after = (await drain(rereader, 4)).map(plain)
    const order = (a: { partition: number; offset: number }, b: { partition: number; offset: number }) =>
      a.partition - b.partition || a.offset - b.offset
    expect(after.sort(order)).toEqual(before.sort(order))
  })

  test('topics, their settings and their offsets are the same after reopen', async () => {
    const topic = await makeTopic(context.log, { partitions: 3, cleanup: 'compact', retentionMs: 3_600_000 })
    // A compacted topic takes keyed records only.
    await context.producer().send(['a', 'b'].map((key) => ({ topic, partition: 2, key: bytes(key), value: bytes(key) })))
    const before = shape(await context.log.describeTopic(topic))
    const log = await context.reopen()
    expect(shape(await log.describeTopic(topic))).toEqual(before)
    expect(await log.listTopics()).toContain(topic)
  })

  test('the start offset deleteRecords set is the same after reopen, and records below it stay unreadable', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 4 }])
    const log = await context.reopen()
    expect(shape(await log.describeTopic(topic)).partitions).toEqual([{ partition: 0, startOffset: 4, endOffset: 10 }])
    const consumer = await consumerOfPartition0(context, topic)
    await consumer.seekToBeginning()
    expect(offsetsOf(await drain(consumer, 6))).toEqual([4, 5, 6, 7, 8, 9])
  })

  test('group offsets committed before reopen are still committed after it', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 4)
    const groupId = uniqueName('group')
    const member = context.consumer({ groupId })
    await member.subscribe([topic])
    expect(await drain(member, 4)).toHaveLength(4)
    await member.commit([{ topic, partition: 0, offset: 2 }])

    await context.reopen()
    const successor = context.consumer({ groupId })
    expect(await successor.committed([{ topic, partition: 0 }])).toEqual([2])
    await successor.subscribe([topic])
    expect(offsetsOf(await drain(successor, 2))).toEqual([2, 3])
  })

  test('a transaction committed before reopen is visible to read_committed consumers after it', async () => {
    const topic = await makeTopic(context.log)
    const transaction = await context.producer({ transactionalId: uniqueName('txn') }).beginTransaction()
    await transaction.send([{ topic, partition: 0, value: bytes('committed') }])
    await transaction.commit()

    await context.reopen()
    await context.producer().send([{ topic, partition: 0, value: bytes('after') }])
    const consumer = await consumerOfPartition0(context, topic, 'read_committed')
    expect(valuesOf(await drainUntilValue(consumer, 'after'))).toEqual(['committed', 'after'])
  })

  test('a transaction still open when the log closed is never visible to read_committed consumers after reopen', async () => {
    const topic = await makeTopic(context.log)
    const transaction = await context.producer({ transactionalId: uniqueName('txn') }).beginTransaction()
    await transaction.send([{ topic, partition: 0, value: bytes('open') }])

    await context.reopen()
    await context.producer().send([{ topic, partition: 0, value: bytes('after') }])
    const consumer = await consumerOfPartition0(context, topic, 'read_committed')
    expect(valuesOf(await drainUntilValue(consumer, 'after'))).toEqual(['after'])
  })
}
