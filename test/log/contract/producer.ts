/** The producer: offsets, what a record carries, partitioning, and the sends that are refused. */
import { expect, test } from 'vitest'
import { InvalidRecordError, RecordTooLargeError, UnknownTopicOrPartitionError } from '../../../core/log/errors.js'
import { partitionForKey } from '../../../core/log/partitioner.js'
import type { LogRecord, RecordHeader } from '../../../core/log/types.js'
import type { ContractContext } from './context.js'
import type { LogSupports } from './suite.js'
import { bytes, drain, errorOf, makeTopic, produceN, text, uniqueName, valuesOf } from './helpers.js'

/** A fixed past time (2020-09-13): Kafka refuses create times too far in the future, never past ones. */
const BASE_TIMESTAMP = 1_600_000_000_000

/**
 * Where Kafka's default partitioner puts these keys among 7 partitions:
 * `(murmur2(key) & 0x7fffffff) % 7`, with the murmur2 values of Kafka's own UtilsTest.testMurmur2.
 */
const KAFKA_PARTITIONS_OF_7: readonly (readonly [string, number])[] = [
  ['21', 3],
  ['foobar', 0],
  ['abc', 4],
  ['a-little-bit-long-string', 1],
  ['a-little-bit-longer-string', 0],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', 3],
]

function headersAsText(record: LogRecord | undefined): [string, string | null][] {
  return (record?.headers ?? []).map((header: RecordHeader) => [header.key, text(header.value)])
}

export function producerTests(context: ContractContext, supports: LogSupports): void {
  test('records sent to a partition get consecutive offsets starting at 0', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    const producer = context.producer()
    const first = await produceN(producer, topic, 3, { partition: 1 })
    const second = await produceN(producer, topic, 2, { partition: 1 })
    expect([...first, ...second].map((metadata) => [metadata.partition, metadata.offset])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
    ])
  })

  test('records come back in order with their key, value and explicit timestamp', async () => {
    const topic = await makeTopic(context.log)
    await context.producer().send(
      [0, 1, 2].map((index) => ({
        topic,
        partition: 0,
        key: bytes(`key${index}`),
        value: bytes(`value${index}`),
        timestamp: BASE_TIMESTAMP + index * 1000,
      })),
    )
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const records = await drain(consumer, 3)
    expect(records.map(({ topic, partition, offset, timestamp, key, value }) => ({ topic, partition, offset, timestamp, key: text(key), value: text(value) }))).toEqual(
      [0, 1, 2].map((index) => ({
        topic,
        partition: 0,
        offset: index,
        timestamp: BASE_TIMESTAMP + index * 1000,
        key: `key${index}`,
        value: `value${index}`,
      })),
    )
  })

  /** Sends one record with these headers (key, text value) and reads them back as text. */
  async function roundTripHeaders(headers: readonly [string, string][]): Promise<[string, string | null][]> {
    const topic = await makeTopic(context.log)
    await context.producer().send([{ topic, partition: 0, value: bytes('v'), headers: headers.map(([key, value]) => ({ key, value: bytes(value) })) }])
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const [record] = await drain(consumer, 1)
    return headersAsText(record)
  }

  // Registered only where the backend keeps header order across keys (see LogSupports).
  if (supports.headerOrderAcrossKeys) {
    test('headers come back in order, repeated keys included', async () => {
      const headers: [string, string][] = [['trace', '1'], ['origin', 'here'], ['trace', '2']]
      expect(await roundTripHeaders(headers)).toEqual(headers)
    })
  }

  test("headers come back with each key's values in order", async () => {
    const headers: [string, string][] = [['trace', '1'], ['trace', '2'], ['origin', 'here']]
    expect(await roundTripHeaders(headers)).toEqual(headers)
  })

  test('a record without a timestamp gets the current time, in its metadata and when read', async () => {
    const topic = await makeTopic(context.log)
    const before = Date.now()
    const [metadata] = await context.producer().send([{ topic, partition: 0, value: bytes('now') }])
    const after = Date.now()
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const [record] = await drain(consumer, 1)
    expect(metadata?.timestamp).toBeGreaterThanOrEqual(before - 1000)
    expect(metadata?.timestamp).toBeLessThanOrEqual(after + 1000)
    expect(record?.timestamp).toBe(metadata?.timestamp)
  })

  test('send returns the explicit timestamp in the metadata', async () => {
    const topic = await makeTopic(context.log)
    const [metadata] = await context.producer().send([{ topic, partition: 0, value: null, timestamp: BASE_TIMESTAMP }])
    expect(metadata).toEqual({ topic, partition: 0, offset: 0, timestamp: BASE_TIMESTAMP })
  })

  test('a null key and a null value come back as null, and an omitted key as null', async () => {
    const topic = await makeTopic(context.log)
    await context.producer().send([
      { topic, partition: 0, key: null, value: null },
      { topic, partition: 0, value: bytes('keyless') },
    ])
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const records = await drain(consumer, 2)
    expect(records.map((record) => [record.key, text(record.value)])).toEqual([
      [null, null],
      [null, 'keyless'],
    ])
  })

  test('an empty key and value come back empty, not null', async () => {
    const topic = await makeTopic(context.log)
    await context.producer().send([{ topic, partition: 0, key: Buffer.alloc(0), value: Buffer.alloc(0) }])
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const [record] = await drain(consumer, 1)
    expect(record?.key).toEqual(Buffer.alloc(0))
    expect(record?.value).toEqual(Buffer.alloc(0))
  })

  test('a keyed record lands on partitionForKey(key, partitions)', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
    const metadata = await context.producer().send(keys.map((key) => ({ topic, key: bytes(key), value: bytes(key) })))
    expect(metadata.map((entry) => entry.partition)).toEqual(keys.map((key) => partitionForKey(bytes(key), 3)))
  })

  test("a keyed record lands where Kafka's default partitioner puts it", async () => {
    const topic = await makeTopic(context.log, { partitions: 7 })
    const metadata = await context.producer().send(
      KAFKA_PARTITIONS_OF_7.map(([key]) => ({ topic, key: bytes(key), value: null })),
    )
    expect(metadata.map((entry) => entry.partition)).toEqual(KAFKA_PARTITIONS_OF_7.map(([, partition]) => partition))
  })

  test('the same key always lands on the same partition', async () => {
    const topic = await makeTopic(context.log, { partitions: 5 })
    const producer = context.producer()
    const key = bytes('steady')
    const partitions: number[] = []
    for (let send = 0; send < 4; send++) {
      const metadata = await producer.send([
        { topic, key, value: bytes(`a${send}`) },
        { topic, key, value: bytes(`b${send}`) },
      ])
      partitions.push(...metadata.map((entry) => entry.partition))
    }
    expect(new Set(partitions).size).toBe(1)
  })

  test('records with a null key spread over all partitions', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const producer = context.producer()
    const used = new Set<number>()
    for (let send = 0; send < 12; send++) {
      const [metadata] = await producer.send([{ topic, key: null, value: bytes(`r${send}`) }])
      if (metadata !== undefined) used.add(metadata.partition)
    }
    expect([...used].sort()).toEqual([0, 1, 2])
  })

  test('send returns one metadata per record, in input order', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const order = [2, 0, 1, 0, 2]
    const metadata = await context.producer().send(
      order.map((partition, index) => ({ topic, partition, value: bytes(`m${index}`) })),
    )
    expect(metadata.map(({ topic, partition, offset }) => ({ topic, partition, offset }))).toEqual([
      { topic, partition: 2, offset: 0 },
      { topic, partition: 0, offset: 0 },
      { topic, partition: 1, offset: 0 },
      { topic, partition: 0, offset: 1 },
      { topic, partition: 2, offset: 1 },
    ])
  })

  test('sending to a topic that does not exist throws UnknownTopicOrPartitionError and creates nothing', async () => {
    const topic = uniqueName('missing')
    const error = await errorOf(() => context.producer().send([{ topic, value: bytes('lost') }]))
    expect(error).toBeInstanceOf(UnknownTopicOrPartitionError)
    expect(await context.log.listTopics()).not.toContain(topic)
  })

  test('sending to a partition past the last throws UnknownTopicOrPartitionError', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const error = await errorOf(() => context.producer().send([{ topic, partition: 3, value: bytes('lost') }]))
    expect(error).toBeInstanceOf(UnknownTopicOrPartitionError)
  })

  test('a record larger than maxRecordBytes throws RecordTooLargeError and nothing of that send is written', async () => {
    const topic = await makeTopic(context.log, { maxRecordBytes: 1024 })
    const error = await errorOf(() =>
      context.producer().send([
        { topic, partition: 0, value: bytes('small') },
        { topic, partition: 0, value: Buffer.alloc(8 * 1024, 1) },
      ]),
    )
    expect(error).toBeInstanceOf(RecordTooLargeError)
    const { partitions } = await context.log.describeTopic(topic)
    expect(partitions[0]?.endOffset).toBe(0)
  })

  test('a record without a key sent to a compacted topic is refused with InvalidRecordError and nothing is written', async () => {
    const topic = await makeTopic(context.log, { cleanup: 'compact' })
    const error = await errorOf(() =>
      context.producer().send([
        { topic, partition: 0, key: bytes('keyed'), value: bytes('kept?') },
        { topic, partition: 0, key: null, value: bytes('keyless') },
      ]),
    )
    expect(error).toBeInstanceOf(InvalidRecordError)
    const { partitions } = await context.log.describeTopic(topic)
    expect(partitions[0]?.endOffset).toBe(0)
  })

  test('a producer keeps working after an oversized record was refused', async () => {
    const topic = await makeTopic(context.log, { maxRecordBytes: 1024 })
    const producer = context.producer()
    await expect(producer.send([{ topic, partition: 0, value: Buffer.alloc(8 * 1024, 1) }])).rejects.toBeInstanceOf(
      RecordTooLargeError,
    )
    const [metadata] = await producer.send([{ topic, partition: 0, value: bytes('fits') }])
    expect(metadata?.offset).toBe(0)
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    expect(valuesOf(await drain(consumer, 1))).toEqual(['fits'])
  })

  test('a send larger than maxRecordBytes in total, of records that each fit, is written whole and in order', async () => {
    const topic = await makeTopic(context.log, { maxRecordBytes: 1024 })
    const values = Array.from({ length: 40 }, (_, i) => Buffer.alloc(200, i))
    const metadata = await context.producer().send(values.map((value) => ({ topic, partition: 0, value })))
    expect(metadata.map((entry) => entry.offset)).toEqual(values.map((_, i) => i))
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const records = await drain(consumer, values.length)
    expect(records.map((record) => record.value)).toEqual(values)
  })

  test('one send of 50,000 records to one partition is written whole and in order, timestamps that go back included', async () => {
    const topic = await makeTopic(context.log)
    const count = 50_000
    // Every third record is stamped before the first: a batch's later records may be older than its first.
    const timestampOf = (i: number): number => BASE_TIMESTAMP + (i % 3 === 2 ? -i : i)
    const metadata = await context.producer().send(Array.from({ length: count }, (_, i) => ({ topic, partition: 0, key: bytes(`k${i}`), value: bytes(`v${i}`), timestamp: timestampOf(i) })))
    expect(metadata.at(-1)?.offset).toBe(count - 1)
    const consumer = context.consumer()
    await consumer.assign([{ topic, partition: 0 }])
    const records = await drain(consumer, count, 2_000)
    expect(records.length).toBe(count)
    const wrong = records.findIndex((record, i) => record.offset !== i || text(record.key) !== `k${i}` || text(record.value) !== `v${i}` || record.timestamp !== timestampOf(i))
    expect(wrong).toBe(-1)
  })
}
