import type { LogRecord, ProducerRecord, RecordHeader } from '../log/types.js'

/** The header a replayed record carries: the dead letter it came from, `TOPIC:PARTITION:OFFSET`. */
export const REPLAYED_FROM_HEADER = 'tributary.replayed-from'

const ERROR_HEADER_PREFIX = 'tributary.error.'

/** Where a dead letter came from and why it failed, as its headers say. */
export interface DeadLetterProvenance {
  readonly errorCode: string | undefined
  readonly errorMessage: string | undefined
  /** The record's topic, partition and offset, when it was a record of the log (an app's or a sink's input). */
  readonly sourceTopic: string | undefined
  readonly sourcePartition: number | undefined
  readonly sourceOffset: number | undefined
  /** The connector that dead-lettered it, and for a source's rejected input, where in the input it was. */
  readonly connector: string | undefined
  readonly sourceLocation: string | undefined
}

/**
 * Reads a dead letter's provenance from its headers. A record dead-lettered again after a replay
 * has these headers twice; the last ones are the newest.
 *
 * @example
 * deadLetterProvenance(record) // { errorCode: 'TRIBUTARY_SERDE', sourceTopic: 'orders', sourcePartition: 1, … }
 */
export function deadLetterProvenance(record: LogRecord): DeadLetterProvenance {
  const header = (key: string): string | undefined => record.headers.findLast((candidate) => candidate.key === key)?.value.toString('utf8')
  const integer = (key: string): number | undefined => {
    const text = header(key)
    return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined
  }
  return {
    errorCode: header('tributary.error.code'),
    errorMessage: header('tributary.error.message'),
    sourceTopic: header('tributary.source.topic'),
    sourcePartition: integer('tributary.source.partition'),
    sourceOffset: integer('tributary.source.offset'),
    connector: header('tributary.connector'),
    sourceLocation: header('tributary.source.location'),
  }
}

/** Values longer than this are cut in the text listing (json shows them whole). */
const MAX_TEXT_VALUE_CHARS = 500

/**
 * A dead letter as a block of text: where it is, where it came from, the error, key and value.
 *
 * @example
 * formatDeadLetterText(record)
 * // 'orders-dlq partition 0 offset 3, from orders partition 1 offset 42\n  error: TRIBUTARY_SERDE: Unexpected token\n  key: u1\n  value: {"bad\n'
 */
export function formatDeadLetterText(record: LogRecord): string {
  const provenance = deadLetterProvenance(record)
  const lines = [`${record.topic} partition ${record.partition} offset ${record.offset}, ${describeSource(provenance)}`]
  lines.push(`  error: ${provenance.errorCode ?? 'unknown'}: ${provenance.errorMessage ?? '(no message)'}`)
  lines.push(`  key: ${shown(record.key)}`)
  lines.push(`  value: ${shown(record.value)}`)
  return `${lines.join('\n')}\n`
}

/**
 * A dead letter as one JSON line: position, timestamp, key and value (UTF-8 or null), the error,
 * the source and the other headers.
 *
 * @example
 * formatDeadLetterJson(record)
 * // '{"topic":"orders-dlq","partition":0,"offset":3,…,"error":{"code":"TRIBUTARY_SERDE",…},"source":{"topic":"orders",…}}\n'
 */
export function formatDeadLetterJson(record: LogRecord): string {
  const p = deadLetterProvenance(record)
  const json = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key?.toString('utf8') ?? null,
    value: record.value?.toString('utf8') ?? null,
    error: { code: p.errorCode ?? null, message: p.errorMessage ?? null },
    source: { topic: p.sourceTopic ?? null, partition: p.sourcePartition ?? null, offset: p.sourceOffset ?? null, connector: p.connector ?? null, location: p.sourceLocation ?? null },
    headers: record.headers.map((header) => ({ key: header.key, value: header.value.toString('utf8') })),
  }
  return `${JSON.stringify(json)}\n`
}

function describeSource(p: DeadLetterProvenance): string {
  const byConnector = p.connector === undefined ? '' : ` (connector ${p.connector})`
  if (p.sourceTopic !== undefined) return `from ${p.sourceTopic} partition ${p.sourcePartition ?? '?'} offset ${p.sourceOffset ?? '?'}${byConnector}`
  if (p.sourceLocation !== undefined) return `from ${p.sourceLocation}${byConnector}`
  return `from an unknown source${byConnector}`
}

function shown(bytes: Buffer | null): string {
  if (bytes === null) return 'null'
  const text = bytes.toString('utf8')
  return text.length <= MAX_TEXT_VALUE_CHARS ? text : `${text.slice(0, MAX_TEXT_VALUE_CHARS)}… (${bytes.length} bytes)`
}

/**
 * The record a replay sends: the dead letter's key, value, timestamp and headers, without the
 * `tributary.error.*` headers, with `tributary.replayed-from: TOPIC:PARTITION:OFFSET`, to
 * `destination` (its source topic, or the replay's `--to`). The key picks the partition, as it
 * did for the original.
 *
 * @example
 * replayRecord(deadLetter, 'orders') // { topic: 'orders', key, value, headers: [..., { key: 'tributary.replayed-from', value: 'orders-dlq:0:3' }] }
 */
export function replayRecord(record: LogRecord, destination: string): ProducerRecord {
  const headers: RecordHeader[] = record.headers.filter((header) => !header.key.startsWith(ERROR_HEADER_PREFIX))
  headers.push({ key: REPLAYED_FROM_HEADER, value: Buffer.from(`${record.topic}:${record.partition}:${record.offset}`) })
  return { topic: destination, key: record.key, value: record.value, headers, timestamp: record.timestamp }
}
