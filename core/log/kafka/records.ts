/**
 * Records between the log's shape and kafkajs's: kafkajs carries offsets and timestamps as
 * decimal strings, and headers as an object of key → value or values.
 *
 * kafkajs's header object keeps the order of a key's values but not the order between keys:
 * headers `a, b, a` are written and read as `a, a, b`.
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs'
import type { LogRecord, ProducerRecord, RecordHeader } from '../types.js'

/**
 * A record as a kafkajs message for `partition`, with its timestamp fixed (so the metadata
 * `send` returns carries the timestamp the broker stores).
 *
 * @example
 * toKafkaMessage({ topic: 'orders', key: Buffer.from('k'), value: null }, 2, 1_600_000_000_000)
 * // { partition: 2, key: <Buffer 6b>, value: null, timestamp: '1600000000000' }
 */
export function toKafkaMessage(record: ProducerRecord, partition: number, timestamp: number): Message {
  const message: Message = { partition, key: record.key ?? null, value: record.value, timestamp: String(timestamp) }
  if (record.headers !== undefined && record.headers.length > 0) message.headers = headersObject(record.headers)
  return message
}

/**
 * A fetched kafkajs message as a LogRecord.
 *
 * @example
 * toLogRecord('orders', 0, message) // { topic: 'orders', partition: 0, offset: 7, timestamp: 1600000000000, … }
 */
export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers: message.headers === undefined ? [] : headerList(message.headers),
  }
}

function headersObject(headers: readonly RecordHeader[]): IHeaders {
  // No prototype: a header named `__proto__` is a header like any other.
  const object = Object.create(null) as Record<string, Buffer[]>
  for (const { key, value } of headers) (object[key] ??= []).push(value)
  return object
}

function headerList(headers: IHeaders): RecordHeader[] {
  const list: RecordHeader[] = []
  for (const key of Object.keys(headers)) {
    const value = headers[key]
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value]
    // A null header value (another client may write one) reads as empty bytes: RecordHeader values are bytes.
    for (const one of values) list.push({ key, value: Buffer.isBuffer(one) ? one : Buffer.from(typeof one === 'string' ? one : '') })
  }
  return list
}
