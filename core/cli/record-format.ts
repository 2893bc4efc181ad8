import type { LogRecord } from '../log/types.js'

/** How `consume` prints a record. */
export type RecordFormat = 'text' | 'json'

export function isRecordFormat(value: string): value is RecordFormat {
  return value === 'text' || value === 'json'
}

/**
 * One record as one line of output, newline included.
 * - `text`: the value as UTF-8; a null value is an empty line.
 * - `json`: `{"topic","partition","offset","timestamp","key","value","headers"}` with key,
 *   value and header values as UTF-8 strings (null stays null), headers as `[{ key, value }]`.
 *
 * @example
 * formatRecord(record, 'json')
 * // '{"topic":"events","partition":0,"offset":7,"timestamp":1700000000000,"key":"k","value":"v","headers":[]}\n'
 */
export function formatRecord(record: LogRecord, format: RecordFormat): string {
  if (format === 'text') return `${record.value === null ? '' : record.value.toString('utf8')}\n`
  const json = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: utf8OrNull(record.key),
    value: utf8OrNull(record.value),
    headers: record.headers.map((header) => ({ key: header.key, value: header.value.toString('utf8') })),
  }
  return `${JSON.stringify(json)}\n`
}

function utf8OrNull(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('utf8')
}
