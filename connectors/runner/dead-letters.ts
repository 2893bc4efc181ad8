import type { LogRecord, ProducerRecord, RecordHeader } from '../../core/log/types.js'
import { deadLetter } from '../../core/runtime/dead-letter.js'
import type { Secret } from '../api/secret.js'
import { redact } from '../api/secret.js'
import type { RejectedInput } from '../api/types.js'

const MAX_MESSAGE = 4096

function errorHeaders(error: Error & { code?: string }, connector: string, secrets: readonly Secret[]): RecordHeader[] {
  return [
    { key: 'tributary.error.code', value: Buffer.from(error.code ?? error.name) },
    { key: 'tributary.error.message', value: Buffer.from(redact(error.message, secrets).slice(0, MAX_MESSAGE)) },
    { key: 'tributary.connector', value: Buffer.from(connector) },
  ]
}

/**
 * The dead-letter record of input a source rejected: the input as it was, the error and where
 * the input was in headers (`tributary.error.code`, `tributary.error.message`,
 * `tributary.connector`, `tributary.source.location`).
 *
 * @example
 * rejectedRecord('orders-dlq', 'orders-file', { input: '{bad', error, location: 'in.jsonl:12' }, [])
 */
export function rejectedRecord(topic: string, connector: string, rejected: RejectedInput, secrets: readonly Secret[], timestamp: number): ProducerRecord {
  const headers = errorHeaders(rejected.error, connector, secrets)
  if (rejected.location !== undefined) headers.push({ key: 'tributary.source.location', value: Buffer.from(rejected.location) })
  const value = typeof rejected.input === 'string' ? Buffer.from(rejected.input) : rejected.input
  return { topic, key: null, value, headers, timestamp }
}

/**
 * The dead-letter record of a log record a sink could not convert or write: its original bytes
 * and headers, the error, and its provenance (`tributary.source.topic`, `.partition`, `.offset`).
 *
 * @example
 * sinkDeadLetter('orders-dlq', 'orders-db', record, error, [])
 */
export function sinkDeadLetter(topic: string, connector: string, record: LogRecord, error: Error & { code?: string }, secrets: readonly Secret[]): ProducerRecord {
  const base = deadLetter(topic, record, Object.assign(new Error(redact(error.message, secrets)), { code: error.code ?? error.name }))
  return { ...base, headers: [...(base.headers ?? []), { key: 'tributary.connector', value: Buffer.from(connector) }] }
}
