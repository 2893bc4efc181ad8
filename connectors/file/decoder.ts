import type { RejectedInput, SourceRecord } from '../api/types.js'
import type { TailedFile } from './tailed-file.js'

/** Bytes of an overlong line kept in its dead letter: enough to recognise it. */
export const PREVIEW_BYTES = 1024

/** The records and rejected inputs of the poll being built, and the bytes of their input so far. */
export interface PendingBatch {
  readonly records: SourceRecord<string, unknown>[]
  readonly rejected: RejectedInput[]
  /** Input bytes decoded into this batch; decoders stop once it reaches `maxBytes`. */
  bytes: number
  readonly maxBytes: number
}

/**
 * Turns the complete records in a file's read chunk into source records (or rejected inputs),
 * one format each: JSON lines, CSV. Incomplete input stays unconsumed until more is read.
 */
export interface RecordDecoder {
  /** Decodes up to `room` entries (and up to `batch.maxBytes`) from `file.chunk[file.start…]` into `batch` and consumes them; returns how many it added. */
  decode(file: TailedFile, batch: PendingBatch, room: number): number
  /** Called before decoding, once per poll: a CSV decoder reads the header of a file it resumes past. */
  prepare?(file: TailedFile): Promise<void>
}

/** How a record's value is given to the runner: the JSON bytes (value serde `bytes`) or the parsed object (`json`, `avro`). */
export type ValueAs = 'bytes' | 'object'

/**
 * The key of a record from a field of its parsed value: a string as it is, a number or boolean
 * as text, an object or array as JSON; null when the field is missing or null.
 *
 * @example
 * keyOf({ id: 42 }, 'id') // '42'
 */
export function keyOf(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const key: unknown = (value as Record<string, unknown>)[field]
  if (key === undefined || key === null) return null
  if (typeof key === 'string') return key
  if (typeof key === 'object') return JSON.stringify(key)
  return String(key)
}
