import type { SinkRecord } from '../../api/types.js'

/** How a batch is written as a request body. */
export interface BodyEncoding {
  readonly format: 'json-array' | 'ndjson'
  readonly payload: 'record' | 'value'
}

/** The content type of an encoding's bodies. */
export function contentTypeOf(encoding: BodyEncoding): string {
  return encoding.format === 'ndjson' ? 'application/x-ndjson' : 'application/json'
}

/**
 * One record as a body item, JSON: the record (`{topic, partition, offset, timestamp, key,
 * value}`, so a receiver can drop a replayed copy by its offset) or only its value. Headers are
 * not sent. Throws when the key or value cannot be written as JSON (a BigInt, a cycle).
 *
 * @example
 * encodeItem(record, 'value') // '{"n":1}'
 */
export function encodeItem(record: SinkRecord, payload: BodyEncoding['payload']): string {
  const item = payload === 'value' ? record.value : { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, key: record.key, value: record.value }
  return JSON.stringify(item) ?? 'null'
}

/**
 * Items as a request body: a JSON array, or NDJSON (one item a line, each ending in `\n`).
 *
 * @example
 * joinItems(['{"n":1}', '{"n":2}'], 'ndjson') // '{"n":1}\n{"n":2}\n'
 */
export function joinItems(items: readonly string[], format: BodyEncoding['format']): string {
  return format === 'ndjson' ? items.map((item) => `${item}\n`).join('') : `[${items.join(',')}]`
}
