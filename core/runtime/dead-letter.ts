import type { LogRecord, ProducerRecord, RecordHeader } from '../log/types.js'

/**
 * The dead-letter copy of a failed record: its original bytes and headers, plus headers that
 * say where it came from and why it failed.
 *
 * @example
 * deadLetter('orders-dlq', record, error)
 * // headers: tributary.error.code, tributary.error.message, tributary.source.topic, …
 */
export function deadLetter(topic: string, record: LogRecord, error: Error & { code?: string }): ProducerRecord {
  const headers: RecordHeader[] = [
    ...record.headers,
    { key: 'tributary.error.code', value: Buffer.from(error.code ?? error.name) },
    { key: 'tributary.error.message', value: Buffer.from(error.message.slice(0, 4096)) },
    { key: 'tributary.source.topic', value: Buffer.from(record.topic) },
    { key: 'tributary.source.partition', value: Buffer.from(String(record.partition)) },
    { key: 'tributary.source.offset', value: Buffer.from(String(record.offset)) },
  ]
  return { topic, key: record.key, value: record.value, headers, timestamp: record.timestamp }
}
