/** deleteRecords (Kafka's Admin.deleteRecords): the start offset moves up, and what that means for readers. */
import { expect, test } from 'vitest'
import { InvalidTopicNameError, OffsetOutOfRangeError, PolicyViolationError, UnknownTopicOrPartitionError } from '../../../core/log/errors.js'
import type { Log } from '../../../core/log/types.js'
import type { ContractContext } from './context.js'
import { bytes, consumerOfPartition0, drain, errorOf, makeTopic, offsetsOf, produceN, uniqueName, valuesOf } from './helpers.js'

const BASE_TIMESTAMP = 1_600_000_000_000

/** Start and end offset of each partition of `topic`, by partition number. */
async function ranges(log: Log, topic: string): Promise<{ startOffset: number; endOffset: number }[]> {
  const { partitions } = await log.describeTopic(topic)
  return [...partitions].sort((a, b) => a.partition - b.partition).map(({ startOffset, endOffset }) => ({ startOffset, endOffset }))
}

export function deleteRecordsTests(context: ContractContext): void {
  test('deleteRecords moves the start offset up to the given offset, and records below it are no longer read', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 4 }])
    expect(await ranges(context.log, topic)).toEqual([{ startOffset: 4, endOffset: 10 }])
    const consumer = await consumerOfPartition0(context, topic)
    await consumer.seekToBeginning()
    const records = await drain(consumer, 6)
    expect(offsetsOf(records)).toEqual([4, 5, 6, 7, 8, 9])
    expect(valuesOf(records)).toEqual(['v4', 'v5', 'v6', 'v7', 'v8', 'v9'])
  })

  test('an offset at or below the current start changes nothing', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 6 }])
    await context.log.deleteRecords([{ topic, partition: 0, offset: 3 }])
    await context.log.deleteRecords([{ topic, partition: 0, offset: 6 }])
    expect(await ranges(context.log, topic)).toEqual([{ startOffset: 6, endOffset: 10 }])
  })

  test('deleting up to the end offset leaves the partition empty, and records appended later are read', async () => {
    const topic = await makeTopic(context.log)
    const producer = context.producer()
    await produceN(producer, topic, 5)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 5 }])
    expect(await ranges(context.log, topic)).toEqual([{ startOffset: 5, endOffset: 5 }])
    await producer.send([{ topic, partition: 0, value: bytes('after') }])
    const consumer = await consumerOfPartition0(context, topic)
    await consumer.seekToBeginning()
    const records = await drain(consumer, 1)
    expect(offsetsOf(records)).toEqual([5])
    expect(valuesOf(records)).toEqual(['after'])
  })

  test('each partition of a request moves on its own; partitions not named keep their start', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const producer = context.producer()
    for (const partition of [0, 1, 2]) await produceN(producer, topic, 4, { partition })
    await context.log.deleteRecords([
      { topic, partition: 0, offset: 1 },
      { topic, partition: 2, offset: 3 },
    ])
    expect(await ranges(context.log, topic)).toEqual([
      { startOffset: 1, endOffset: 4 },
      { startOffset: 0, endOffset: 4 },
      { startOffset: 3, endOffset: 4 },
    ])
  })

  test('an offset past the end offset is refused with OffsetOutOfRangeError, and no partition of the request changes', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const producer = context.producer()
    for (const partition of [0, 1]) await produceN(producer, topic, 3, { partition })
    const error = await errorOf(() =>
      context.log.deleteRecords([
        { topic, partition: 0, offset: 2 },
        { topic, partition: 1, offset: 4 },
      ]),
    )
    expect(error).toBeInstanceOf(OffsetOutOfRangeError)
    expect(error).toMatchObject({ topic, partition: 1, offset: 4 })
    expect(await ranges(context.log, topic)).toEqual([
      { startOffset: 0, endOffset: 3 },
      { startOffset: 0, endOffset: 3 },
    ])
  })

  test('a negative offset is refused with OffsetOutOfRangeError', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 3)
    expect(await errorOf(() => context.log.deleteRecords([{ topic, partition: 0, offset: -2 }]))).toBeInstanceOf(OffsetOutOfRangeError)
  })

  test('a compacted topic is refused with PolicyViolationError and keeps its records', async () => {
    const topic = await makeTopic(context.log, { cleanup: 'compact' })
    await context.producer().send([{ topic, partition: 0, key: bytes('k'), value: bytes('v') }])
    const error = await errorOf(() => context.log.deleteRecords([{ topic, partition: 0, offset: 1 }]))
    expect(error).toBeInstanceOf(PolicyViolationError)
    expect(error).toMatchObject({ code: 'TRIBUTARY_POLICY_VIOLATION', topic })
    expect(await ranges(context.log, topic)).toEqual([{ startOffset: 0, endOffset: 1 }])
  })

  test('an unknown topic or partition is refused with UnknownTopicOrPartitionError', async () => {
    const topic = await makeTopic(context.log)
    expect(await errorOf(() => context.log.deleteRecords([{ topic: uniqueName('absent'), partition: 0, offset: 0 }]))).toBeInstanceOf(UnknownTopicOrPartitionError)
    expect(await errorOf(() => context.log.deleteRecords([{ topic, partition: 7, offset: 0 }]))).toBeInstanceOf(UnknownTopicOrPartitionError)
  })

  test("the log's internal topics are refused with InvalidTopicNameError", async () => {
    const error = await errorOf(() => context.log.deleteRecords([{ topic: '__consumer_offsets', partition: 0, offset: 0 }]))
    expect(error).toBeInstanceOf(InvalidTopicNameError)
  })

  test('a consumer positioned below the new start resumes at the start (autoOffsetReset earliest)', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    const consumer = await consumerOfPartition0(context, topic)
    consumer.seek({ topic, partition: 0 }, 2)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 6 }])
    expect(offsetsOf(await drain(consumer, 4))).toEqual([6, 7, 8, 9])
  })

  test("a consumer positioned below the new start moves to the end with autoOffsetReset 'latest'", async () => {
    const topic = await makeTopic(context.log)
    const producer = context.producer()
    await produceN(producer, topic, 10)
    const consumer = context.consumer({ autoOffsetReset: 'latest' })
    await consumer.assign([{ topic, partition: 0 }])
    consumer.seek({ topic, partition: 0 }, 2)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 6 }])
    expect(await consumer.poll({ timeoutMs: 0 })).toEqual([])
    await producer.send([{ topic, partition: 0, value: bytes('new') }])
    const records = await drain(consumer, 1)
    expect(offsetsOf(records)).toEqual([10])
  })

  test("a consumer positioned below the new start gets OffsetOutOfRangeError from poll with autoOffsetReset 'none'", async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    const consumer = context.consumer({ autoOffsetReset: 'none' })
    await consumer.assign([{ topic, partition: 0 }])
    consumer.seek({ topic, partition: 0 }, 2)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 6 }])
    const error = await errorOf(() => consumer.poll({ timeoutMs: 0 }))
    expect(error).toBeInstanceOf(OffsetOutOfRangeError)
    expect(error).toMatchObject({ topic, partition: 0, offset: 2 })
  })

  test('a group whose committed offset is below the new start resumes at the start', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    const groupId = uniqueName('group')
    await context.consumer({ groupId }).commit([{ topic, partition: 0, offset: 2 }])
    await context.log.deleteRecords([{ topic, partition: 0, offset: 7 }])
    const member = context.consumer({ groupId })
    await member.subscribe([topic])
    expect(offsetsOf(await drain(member, 3))).toEqual([7, 8, 9])
  })

  test('seekToTimestamp never lands below the new start', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 6, { timestamp: () => BASE_TIMESTAMP })
    await context.log.deleteRecords([{ topic, partition: 0, offset: 3 }])
    const consumer = await consumerOfPartition0(context, topic)
    await consumer.seekToTimestamp({ topic, partition: 0 }, BASE_TIMESTAMP)
    expect(consumer.position({ topic, partition: 0 })).toBe(3)
  })

  test('seeking below the new start is refused with OffsetOutOfRangeError naming the range', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 10)
    await context.log.deleteRecords([{ topic, partition: 0, offset: 5 }])
    const consumer = await consumerOfPartition0(context, topic)
    const error = await errorOf(async () => {
      consumer.seek({ topic, partition: 0 }, 4)
      await consumer.poll({ timeoutMs: 100 })
    })
    expect(error).toBeInstanceOf(OffsetOutOfRangeError)
    expect(error).toMatchObject({ startOffset: 5, endOffset: 10 })
  })
}
