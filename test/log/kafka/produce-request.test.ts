import { describe, expect, it } from 'vitest'
import { checkBatch, decodeRecords, isTransactional, readBatchHeader } from '../../../core/log/engine/record-batch.js'
import { openKafkaLog } from '../../../index.js'
import { groupMessagesPerPartition, kafkajsFixesApplied } from '../../../core/log/kafka/kafkajs-fixes.js'
import { encodeProduceRequestBody, type ProduceRequestFields } from '../../../core/log/kafka/produce-request.js'
import type { LogRecord } from '../../../core/log/types.js'

/** The request body read back: its header fields and, per topic and partition, the batch header and records. */
function readBody(body: Buffer) {
  let pos = 0
  const idLength = body.readInt16BE(pos)
  pos += 2
  const transactionalId = idLength < 0 ? null : body.toString('utf8', pos, pos + idLength)
  pos += Math.max(idLength, 0)
  const acks = body.readInt16BE(pos)
  const timeout = body.readInt32BE(pos + 2)
  pos += 6
  const topics: { topic: string; partitions: { partition: number; header: ReturnType<typeof readBatchHeader>; records: LogRecord[]; problem: string | undefined }[] }[] = []
  const topicCount = body.readInt32BE(pos)
  pos += 4
  for (let t = 0; t < topicCount; t++) {
    const nameLength = body.readInt16BE(pos)
    const topic = body.toString('utf8', pos + 2, pos + 2 + nameLength)
    pos += 2 + nameLength
    const partitionCount = body.readInt32BE(pos)
    pos += 4
    const partitions = []
    for (let p = 0; p < partitionCount; p++) {
      const partition = body.readInt32BE(pos)
      const size = body.readInt32BE(pos + 4)
      const batch = body.subarray(pos + 8, pos + 8 + size)
      pos += 8 + size
      const header = readBatchHeader(batch, 0)
      const records: LogRecord[] = []
      decodeRecords(batch, 0, header, topic, partition, 0, records, Infinity)
      partitions.push({ partition, header, records, problem: checkBatch(batch, 0, header) })
    }
    topics.push({ topic, partitions })
  }
  return { transactionalId, acks, timeout, topics, rest: body.length - pos }
}

const fields: ProduceRequestFields = {
  acks: -1,
  timeout: 30_000,
  transactionalId: 'app-0_1',
  producerId: 4242,
  producerEpoch: 3,
  topicData: [
    {
      topic: 'orders',
      partitions: [
        {
          partition: 2,
          firstSequence: 17,
          messages: [
            { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: '1700000000500', headers: { trace: Buffer.from('t1'), tags: [Buffer.from('a'), 'b'] } },
            { key: null, value: null, timestamp: '1700000000000' },
            { key: 'k3', value: 'v3', timestamp: 1700000000900 },
          ],
        },
        { partition: 0, firstSequence: 0, messages: [{ value: Buffer.from('only') , timestamp: '5' }] },
      ],
    },
    { topic: 'émoji-✓', partitions: [{ partition: 1, firstSequence: 9, messages: [{ value: Buffer.alloc(0), timestamp: '7' }] }] },
  ],
}

describe('encodeProduceRequestBody', () => {
  it('writes the request fields and one valid batch per partition, with every record as sent', () => {
    const body = readBody(encodeProduceRequestBody(fields))
    expect(body).toMatchObject({ transactionalId: 'app-0_1', acks: -1, timeout: 30_000, rest: 0 })
    expect(body.topics.map((topic) => [topic.topic, topic.partitions.map((p) => p.partition)])).toEqual([['orders', [2, 0]], ['émoji-✓', [1]]])
    const orders = body.topics[0]!.partitions[0]!
    expect(orders.problem).toBeUndefined()
    expect(orders.header).toMatchObject({ baseOffset: 0, producerId: 4242, producerEpoch: 3, baseSequence: 17, recordCount: 3, lastOffsetDelta: 2, maxTimestamp: 1700000000900 })
    expect(isTransactional(orders.header)).toBe(true)
    expect(orders.records.map((record) => ({ offset: record.offset, timestamp: record.timestamp, key: record.key?.toString() ?? null, value: record.value?.toString() ?? null }))).toEqual([
      { offset: 0, timestamp: 1700000000500, key: 'k1', value: 'v1' },
      { offset: 1, timestamp: 1700000000000, key: null, value: null },
      { offset: 2, timestamp: 1700000000900, key: 'k3', value: 'v3' },
    ])
    expect(orders.records[0]!.headers.map((header) => [header.key, header.value.toString()])).toEqual([['trace', 't1'], ['tags', 'a'], ['tags', 'b']])
    expect(body.topics[1]!.partitions[0]!.records[0]!.value).toEqual(Buffer.alloc(0))
  })

  it('writes a null transactional id, and no transactional bit, outside a transaction', () => {
    const body = readBody(encodeProduceRequestBody({ ...fields, transactionalId: null, producerId: -1, producerEpoch: 0, acks: 1 }))
    expect(body).toMatchObject({ transactionalId: null, acks: 1, rest: 0 })
    expect(isTransactional(body.topics[0]!.partitions[0]!.header)).toBe(false)
  })

  it('stamps records without a timestamp with the time of the send', () => {
    const before = Date.now()
    const body = readBody(encodeProduceRequestBody({ ...fields, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: Buffer.from('x') }] }] }] }))
    expect(body.topics[0]!.partitions[0]!.records[0]!.timestamp).toBeGreaterThanOrEqual(before)
  })
})

describe('groupMessagesPerPartition (the fix of kafkajs 2.2.4)', () => {
  it('is in effect once Tributary is loaded, with the produce request encoder', () => {
    expect(typeof openKafkaLog).toBe('function')
    expect(kafkajsFixesApplied()).toBe(true)
  })

  it('groups messages by the partitioner, keeping their order, as kafkajs does', () => {
    const messages = Array.from({ length: 10 }, (_, index) => ({ partition: index % 3, index }))
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => (message as { partition: number }).partition })
    expect(Object.keys(grouped)).toEqual(['0', '1', '2'])
    expect(grouped[1]!.map((message) => (message as { index: number }).index)).toEqual([1, 4, 7])
  })

  it('groups nothing for a topic without partition metadata', () => {
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{}], partitioner: () => 0 })).toEqual({})
  })
})
