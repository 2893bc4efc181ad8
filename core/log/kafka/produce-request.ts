/**
 * Produce requests (v3 and the versions that reuse its body, up to kafkajs's v7) encoded in one
 * pass: each partition's records become one record batch sized exactly and written once, by the
 * same encoder as the embedded log's (`engine/record-batch.ts`). kafkajs's own v3 encoder, which
 * `kafkajs-fixes.ts` replaces with this one, builds a growing buffer per record, sorts the
 * timestamps as strings and goes through a BigInt per varlong: a third of the time of a
 * produce-heavy app (Nexmark q1 on Kafka, `npm run bench:compare`) went there.
 *
 * The batch is what Kafka's own producer writes: the first record's timestamp as the base (later
 * ones may be earlier: their deltas are negative), partition leader epoch 0 as kafkajs writes it.
 *
 * @example
 * const body = encodeProduceRequestBody({ acks: -1, timeout: 30_000, transactionalId: null, producerId: 7, producerEpoch: 0, topicData })
 */
import { encodeBatch, type BatchRecord } from '../engine/record-batch.js'
import type { RecordHeader } from '../types.js'

/** A message as kafkajs hands it to the request (what `toKafkaMessage` made). */
export interface ProduceMessage {
  readonly key?: Buffer | string | null
  readonly value: Buffer | string | null
  readonly timestamp?: string | number
  readonly headers?: Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>
}

/** One partition's part of a request, as kafkajs's producer fills it in. */
export interface ProducePartitionData {
  readonly partition: number
  readonly firstSequence?: number
  readonly messages: readonly ProduceMessage[]
}

export interface ProduceTopicData {
  readonly topic: string
  readonly partitions: readonly ProducePartitionData[]
}

export interface ProduceRequestFields {
  readonly acks: number
  readonly timeout: number
  readonly transactionalId: string | null
  readonly producerId: number
  readonly producerEpoch: number
  readonly topicData: readonly ProduceTopicData[]
}

/**
 * The body of a produce request v3..v7 (they share it): transactional id, acks, timeout, and per
 * topic and partition one uncompressed record batch.
 *
 * @example
 * encodeProduceRequestBody({ acks: 1, timeout: 1000, transactionalId: null, producerId: -1, producerEpoch: 0, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: Buffer.from('v') }] }] }] })
 */
export function encodeProduceRequestBody(fields: ProduceRequestFields): Buffer {
  const now = Date.now()
  const transactional = fields.transactionalId !== null
  const topics = fields.topicData.map(({ topic, partitions }) => ({
    topic,
    topicBytes: Buffer.byteLength(topic, 'utf8'),
    batches: partitions.map(({ partition, firstSequence, messages }) => ({
      partition,
      batch: encodeBatch(messages.map(toBatchRecord), {
        baseOffset: 0,
        producerId: fields.producerId,
        producerEpoch: fields.producerEpoch,
        baseSequence: firstSequence ?? 0,
        transactional,
        defaultTimestamp: now,
      }),
    })),
  }))
  const idBytes = fields.transactionalId === null ? 0 : Buffer.byteLength(fields.transactionalId, 'utf8')
  let size = 2 + idBytes + 2 + 4 + 4
  for (const { topicBytes, batches } of topics) {
    size += 2 + topicBytes + 4
    for (const { batch } of batches) size += 4 + 4 + batch.length
  }
  const buf = Buffer.allocUnsafe(size)
  let pos = 0
  if (fields.transactionalId === null) pos = buf.writeInt16BE(-1, pos)
  else {
    pos = buf.writeInt16BE(idBytes, pos)
    pos += buf.write(fields.transactionalId, pos, 'utf8')
  }
  pos = buf.writeInt16BE(fields.acks, pos)
  pos = buf.writeInt32BE(fields.timeout, pos)
  pos = buf.writeInt32BE(topics.length, pos)
  for (const { topic, topicBytes, batches } of topics) {
    pos = buf.writeInt16BE(topicBytes, pos)
    pos += buf.write(topic, pos, 'utf8')
    pos = buf.writeInt32BE(batches.length, pos)
    for (const { partition, batch } of batches) {
      pos = buf.writeInt32BE(partition, pos)
      pos = buf.writeInt32BE(batch.length, pos)
      pos += batch.copy(buf, pos)
    }
  }
  return buf
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

function toBatchRecord(message: ProduceMessage): BatchRecord {
  const timestamp = message.timestamp === undefined || message.timestamp === null ? undefined : Number(message.timestamp)
  return {
    key: message.key === undefined || message.key === null ? null : toBuffer(message.key),
    value: message.value === null ? null : toBuffer(message.value),
    headers: message.headers === undefined ? [] : headerList(message.headers),
    ...(timestamp === undefined ? {} : { timestamp }),
  }
}

function headerList(headers: NonNullable<ProduceMessage['headers']>): RecordHeader[] {
  const list: RecordHeader[] = []
  for (const key of Object.keys(headers)) {
    const value = headers[key]
    if (value === undefined) continue
    if (Array.isArray(value)) for (const each of value as readonly (Buffer | string)[]) list.push({ key, value: toBuffer(each) })
    else list.push({ key, value: toBuffer(value as Buffer | string) })
  }
  return list
}
