/** A consumer reading assigned partitions (no group): where it starts, waiting, seeking, pausing. */
import { expect, test } from 'vitest'
import { OffsetOutOfRangeError } from '../../../core/log/errors.js'
import type { LogRecord, TopicPartition } from '../../../core/log/types.js'
import type { ContractContext } from './context.js'
import {
  bytes,
  drain,
  errorOf,
  makeTopic,
  MAX_POLLS,
  offsetsOf,
  partitionsOf,
  POLL_TIMEOUT_MS,
  produceN,
  valuesOf,
} from './helpers.js'

/** Well below the 10 s a waiting poll is given: a woken poll must beat it by far. */
const WOKEN_WITHIN_MS = 5000
const BASE_TIMESTAMP = 1_600_000_000_000

export function consumerTests(context: ContractContext): void {
  /** A topic with `count` records in partition 0, and a consumer assigned to that partition. */
  async function assignedWithRecords(count: number, partitions = 1) {
    const topic = await makeTopic(context.log, { partitions })
    const producer = context.producer()
    if (count > 0) await produceN(producer, topic, count)
    const consumer = context.consumer()
    const tp: TopicPartition = { topic, partition: 0 }
    await consumer.assign([tp])
    return { topic, tp, producer, consumer }
  }

  /**
   * A one-partition topic of `count` records padded to 200 bytes (several fetches on Kafka, 1 MB
   * a partition each), assigned to a consumer that polls up to 700; `readUntil(n)` polls until
   * `offsets` holds n offsets.
   */
  async function assignedWithPaddedRecords(count: number) {
    const topic = await makeTopic(context.log)
    const padding = 'x'.repeat(200)
    await context.producer().send(Array.from({ length: count }, (_, index) => ({ topic, partition: 0, value: bytes(`${index}${padding}`) })))
    const consumer = context.consumer({ maxPollRecords: 700 })
    const tp: TopicPartition = { topic, partition: 0 }
    await consumer.assign([tp])
    const offsets: number[] = []
    const readUntil = async (total: number) => {
      for (let polls = 0; polls < MAX_POLLS && offsets.length < total; polls++) offsets.push(...offsetsOf(await consumer.poll({ timeoutMs: POLL_TIMEOUT_MS })))
    }
    return { tp, consumer, offsets, readUntil }
  }

  test('assignment() returns the assigned partitions', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 2 }, { topic, partition: 0 }])
    expect([...consumer.assignment()].sort((a, b) => a.partition - b.partition)).toEqual([
      { topic, partition: 0 },
      { topic, partition: 2 },
    ])
  })

  test('an assigned consumer reads from offset 0 by default', async () => {
    const { consumer } = await assignedWithRecords(3)
    const records = await drain(consumer, 3)
    expect(offsetsOf(records)).toEqual([0, 1, 2])
    expect(valuesOf(records)).toEqual(['v0', 'v1', 'v2'])
  })

  test("autoOffsetReset 'latest' starts at the end of the partition", async () => {
    const topic = await makeTopic(context.log)
    const producer = context.producer()
    await produceN(producer, topic, 3, { prefix: 'old' })
    const consumer = context.consumer({ autoOffsetReset: 'latest' })
    await consumer.assign([{ topic, partition: 0 }])
    expect(consumer.position({ topic, partition: 0 })).toBe(3)
    await produceN(producer, topic, 2, { prefix: 'new' })
    const records = await drain(consumer, 2)
    expect(valuesOf(records)).toEqual(['new0', 'new1'])
    expect(offsetsOf(records)).toEqual([3, 4])
  })

  test('poll returns at most maxRecords records', async () => {
    const { consumer } = await assignedWithRecords(5)
    const batchSizes: number[] = []
    for (let polls = 0; polls < 50 && batchSizes.reduce((sum, size) => sum + size, 0) < 5; polls++) {
      batchSizes.push((await consumer.poll({ maxRecords: 2, timeoutMs: POLL_TIMEOUT_MS })).length)
    }
    expect(batchSizes.reduce((sum, size) => sum + size, 0)).toBe(5)
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(2)
  })

  test("poll returns at most the consumer's maxPollRecords records", async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 5)
    const consumer = context.consumer({ maxPollRecords: 3 })
    await consumer.assign([{ topic, partition: 0 }])
    const batchSizes: number[] = []
    for (let polls = 0; polls < 50 && batchSizes.reduce((sum, size) => sum + size, 0) < 5; polls++) {
      batchSizes.push((await consumer.poll({ timeoutMs: POLL_TIMEOUT_MS })).length)
    }
    expect(batchSizes.reduce((sum, size) => sum + size, 0)).toBe(5)
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(3)
  })

  test('a waiting poll returns as soon as a record is appended', async () => {
    const { topic, producer, consumer } = await assignedWithRecords(0)
    const startedAt = Date.now()
    const pending = consumer.poll({ timeoutMs: 10_000 })
    await producer.send([{ topic, partition: 0, value: bytes('wake') }])
    const records = await pending
    expect(Date.now() - startedAt).toBeLessThan(WOKEN_WITHIN_MS)
    expect(valuesOf(records)).toEqual(['wake'])
  })

  test('a poll on an empty partition returns nothing after about its timeout', async () => {
    const { consumer } = await assignedWithRecords(0)
    const timeoutMs = 300
    const startedAt = Date.now()
    const records = await consumer.poll({ timeoutMs })
    const elapsedMs = Date.now() - startedAt
    expect(records).toEqual([])
    expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs * 0.8)
    expect(elapsedMs).toBeLessThan(timeoutMs + 3000)
  })

  test('wakeup() makes a pending poll return early', async () => {
    const { consumer } = await assignedWithRecords(0)
    await consumer.poll({ timeoutMs: 0 })
    const startedAt = Date.now()
    const pending = consumer.poll({ timeoutMs: 10_000 })
    consumer.wakeup()
    const records = await pending
    expect(Date.now() - startedAt).toBeLessThan(WOKEN_WITHIN_MS)
    expect(records).toEqual([])
  })

  test('seek moves to the given offset', async () => {
    const { tp, consumer } = await assignedWithRecords(5)
    consumer.seek(tp, 3)
    expect(offsetsOf(await drain(consumer, 2))).toEqual([3, 4])
  })

  test('seeking to the end offset is valid and reads the next record appended', async () => {
    const { topic, tp, producer, consumer } = await assignedWithRecords(3)
    consumer.seek(tp, 3)
    expect(await consumer.poll({ timeoutMs: 100 })).toEqual([])
    await produceN(producer, topic, 1, { prefix: 'next' })
    expect(valuesOf(await drain(consumer, 1))).toEqual(['next0'])
  })

  test('seekToBeginning goes back to the first offset', async () => {
    const { tp, consumer } = await assignedWithRecords(3)
    expect(offsetsOf(await drain(consumer, 3))).toEqual([0, 1, 2])
    await consumer.seekToBeginning([tp])
    expect(offsetsOf(await drain(consumer, 3))).toEqual([0, 1, 2])
  })

  test('seekToEnd skips to the end offset', async () => {
    const { topic, tp, producer, consumer } = await assignedWithRecords(3)
    await consumer.seekToEnd([tp])
    expect(consumer.position(tp)).toBe(3)
    await produceN(producer, topic, 1, { prefix: 'after' })
    const records = await drain(consumer, 1)
    expect(valuesOf(records)).toEqual(['after0'])
    expect(offsetsOf(records)).toEqual([3])
  })

  test('seekToBeginning and seekToEnd without partitions move every assigned partition', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const producer = context.producer()
    await produceN(producer, topic, 2, { partition: 0 })
    await produceN(producer, topic, 3, { partition: 1 })
    const consumer = context.consumer()
    const partitions = partitionsOf(topic, 2)
    await consumer.assign(partitions)
    await consumer.seekToEnd()
    expect(partitions.map((tp) => consumer.position(tp))).toEqual([2, 3])
    await consumer.seekToBeginning()
    expect(partitions.map((tp) => consumer.position(tp))).toEqual([0, 0])
  })

  test('seekToTimestamp moves to the first record whose timestamp is at or after the given one', async () => {
    const topic = await makeTopic(context.log)
    const timestamps = [BASE_TIMESTAMP, BASE_TIMESTAMP + 1000, BASE_TIMESTAMP + 2000, BASE_TIMESTAMP + 3000]
    await produceN(context.producer(), topic, 4, { timestamp: (index) => timestamps[index] ?? BASE_TIMESTAMP })
    const consumer = context.consumer()
    const tp = { topic, partition: 0 }
    await consumer.assign([tp])
    await consumer.seekToTimestamp(tp, BASE_TIMESTAMP + 1500)
    expect(consumer.position(tp)).toBe(2)
    await consumer.seekToTimestamp(tp, BASE_TIMESTAMP + 1000)
    expect(consumer.position(tp)).toBe(1)
    expect(offsetsOf(await drain(consumer, 3))).toEqual([1, 2, 3])
  })

  test('seekToTimestamp past every record moves to the end', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 3, { timestamp: (index) => BASE_TIMESTAMP + index })
    const consumer = context.consumer()
    const tp = { topic, partition: 0 }
    await consumer.assign([tp])
    await consumer.seekToTimestamp(tp, BASE_TIMESTAMP + 60_000)
    expect(consumer.position(tp)).toBe(3)
  })

  test('currentLag() counts the records past the position', async () => {
    const { topic, tp, producer, consumer } = await assignedWithRecords(4)
    expect(consumer.currentLag(tp)).toBe(4)
    await drain(consumer, 2)
    expect(consumer.currentLag(tp)).toBe(4 - consumer.position(tp))
    await drain(consumer, 4 - consumer.position(tp))
    expect(consumer.currentLag(tp)).toBe(0)
    await produceN(producer, topic, 3, { prefix: 'more' })
    await drain(consumer, 3)
    expect(consumer.currentLag(tp)).toBe(0)
    expect(consumer.position(tp)).toBe(7)
  })

  test('position() is the offset of the next record poll returns', async () => {
    const { tp, consumer } = await assignedWithRecords(4)
    expect(consumer.position(tp)).toBe(0)
    const records = await drain(consumer, 2)
    expect(consumer.position(tp)).toBe((records.at(-1)?.offset ?? -1) + 1)
    consumer.seek(tp, 1)
    expect(consumer.position(tp)).toBe(1)
  })

  test("pause stops a partition's records from being returned", async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const producer = context.producer()
    await produceN(producer, topic, 2, { partition: 0, prefix: 'paused' })
    await produceN(producer, topic, 2, { partition: 1, prefix: 'running' })
    const consumer = context.consumer()
    await consumer.assign(partitionsOf(topic, 2))
    consumer.pause([{ topic, partition: 0 }])
    const records = await drain(consumer, 2)
    records.push(...(await drain(consumer, Number.POSITIVE_INFINITY, 3)))
    expect(valuesOf(records)).toEqual(['running0', 'running1'])
  })

  test('resume brings back the records of a paused partition', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    await produceN(context.producer(), topic, 2, { partition: 0, prefix: 'paused' })
    const consumer = context.consumer()
    await consumer.assign(partitionsOf(topic, 2))
    consumer.pause([{ topic, partition: 0 }])
    expect(await consumer.poll({ timeoutMs: 100 })).toEqual([])
    consumer.resume([{ topic, partition: 0 }])
    expect(valuesOf(await drain(consumer, 2))).toEqual(['paused0', 'paused1'])
  })

  test('a partition read over many fetches, paused, resumed and sought back midway, returns every offset once, in order', async () => {
    const count = 20_000 // 4 MB in all
    const { tp, consumer, offsets, readUntil } = await assignedWithPaddedRecords(count)
    await readUntil(6_000)
    consumer.pause([tp])
    expect(await consumer.poll({ timeoutMs: 100 })).toEqual([])
    consumer.resume([tp])
    await readUntil(12_000)
    const beforeSeek = offsets.length
    consumer.seek(tp, 10_000)
    await readUntil(beforeSeek + count - 10_000)
    const expected = [...Array.from({ length: beforeSeek }, (_, index) => index), ...Array.from({ length: count - 10_000 }, (_, index) => 10_000 + index)]
    expect(offsets).toEqual(expected)
    expect(consumer.position(tp)).toBe(count)
  })

  test('a seek while paused drops what was fetched ahead: after the resume reading goes on from the sought offset', async () => {
    const count = 12_000 // on Kafka, one fetch being read and one fetched ahead at the pause
    const { tp, consumer, offsets, readUntil } = await assignedWithPaddedRecords(count)
    await readUntil(3_000)
    consumer.pause([tp])
    expect(await consumer.poll({ timeoutMs: 100 })).toEqual([])
    consumer.seek(tp, 500)
    consumer.resume([tp])
    const read = offsets.length
    await readUntil(read + count - 500)
    expect(offsets.slice(read)).toEqual(Array.from({ length: count - 500 }, (_, index) => 500 + index))
    expect(consumer.position(tp)).toBe(count)
  })

  test("changing the bytes of records a poll returned changes nothing a later read returns", async () => {
    const { tp, consumer } = await assignedWithRecords(20)
    const first: LogRecord[] = []
    for (let polls = 0; polls < MAX_POLLS && first.length < 5; polls++) first.push(...(await consumer.poll({ timeoutMs: POLL_TIMEOUT_MS, maxRecords: 5 - first.length })))
    for (const record of first) record.value!.fill('x')
    const all = Array.from({ length: 20 }, (_, index) => `v${index}`)
    expect(valuesOf(await drain(consumer, 15))).toEqual(all.slice(5))
    consumer.seek(tp, 0)
    expect(valuesOf(await drain(consumer, 20))).toEqual(all)
    const other = context.consumer()
    await other.assign([tp])
    expect(valuesOf(await drain(other, 20))).toEqual(all)
  })

  test.each([
    ['-1', () => -1],
    ['the end offset + 5', (endOffset: number) => endOffset + 5],
    ['NaN', () => Number.NaN],
  ])('seeking to %s throws OffsetOutOfRangeError naming the valid range', async (_label, offsetFor) => {
    const { tp, consumer } = await assignedWithRecords(3)
    const error = await errorOf(async () => {
      consumer.seek(tp, offsetFor(3))
      await consumer.poll({ timeoutMs: 100 })
    })
    expect(error).toBeInstanceOf(OffsetOutOfRangeError)
    expect(error).toMatchObject({ startOffset: 0, endOffset: 3 })
    expect(String((error as Error).message)).toMatch(/\b0\b.*\b3\b/)
  })

  test('records of one partition come in offset order', async () => {
    const { topic, producer, consumer } = await assignedWithRecords(0)
    for (let send = 0; send < 4; send++) await produceN(producer, topic, 5, { prefix: `s${send}-` })
    const records = await drain(consumer, 20)
    expect(offsetsOf(records)).toEqual(Array.from({ length: 20 }, (_, offset) => offset))
  })

  test('records of every assigned partition arrive, each partition in offset order', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const producer = context.producer()
    for (const partition of [0, 1, 2]) await produceN(producer, topic, 4, { partition, prefix: `p${partition}-` })
    const consumer = context.consumer()
    await consumer.assign(partitionsOf(topic, 3))
    const records = await drain(consumer, 12)
    expect(records).toHaveLength(12)
    for (const partition of [0, 1, 2]) {
      const ofPartition = records.filter((record) => record.partition === partition)
      expect(offsetsOf(ofPartition)).toEqual([0, 1, 2, 3])
    }
  })
}
