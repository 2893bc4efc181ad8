/**
 * What the kill -9 test's child appends and how the parent recognises it. Every value is a
 * pure function of (run id, sequence), so the checker can tell a record byte for byte.
 *
 *   value => runId uint32 BE, sequence uint32 BE, filler (length and bytes from the sequence)
 */
import type { TopicConfig } from '../../core/log/types.js'

export const CRASH_TOPIC = 'crash-appends'
export const CRASH_PARTITIONS = 2
/** Small segments, so kills also land while a segment rolls. */
export const CRASH_TOPIC_CONFIG: TopicConfig = { partitions: CRASH_PARTITIONS, segmentBytes: 256 * 1024 }
export const MAX_RECORDS_PER_BATCH = 50
/** Keeps one batch under the default maxRecordBytes (1 MiB). */
export const MAX_VALUE_BYTES_PER_BATCH = 900 * 1024

const VALUE_HEADER_BYTES = 8

/** A cheap integer hash, so value sizes vary with the sequence but never with the run. */
function mix(value: number): number {
  let h = Math.imul(value ^ 0x5bd1e995, 0x27d4eb2d)
  h ^= h >>> 15
  h = Math.imul(h, 0x165667b1)
  return (h ^ (h >>> 13)) >>> 0
}

/** One value in 25 is large (about 64 KiB), so batches span many pages; the rest are small. */
export function fillerBytesFor(sequence: number): number {
  const h = mix(sequence)
  return h % 25 === 0 ? 60 * 1024 + (h % 8192) : h % 400
}

export function encodeValue(runId: number, sequence: number): Buffer {
  const filler = fillerBytesFor(sequence)
  const value = Buffer.allocUnsafe(VALUE_HEADER_BYTES + filler)
  value.writeUInt32BE(runId, 0)
  value.writeUInt32BE(sequence, 4)
  const seed = mix(sequence + runId * 7919)
  for (let i = 0; i < filler; i++) value[VALUE_HEADER_BYTES + i] = (seed + i * 31) & 0xff
  return value
}

export interface DecodedValue {
  readonly runId: number
  readonly sequence: number
}

/** The (run, sequence) a value carries, or undefined when it is not exactly what encodeValue made. */
export function decodeValue(value: Buffer | null): DecodedValue | undefined {
  if (value === null || value.length < VALUE_HEADER_BYTES) return undefined
  const runId = value.readUInt32BE(0)
  const sequence = value.readUInt32BE(4)
  return encodeValue(runId, sequence).equals(value) ? { runId, sequence } : undefined
}

/** One acknowledged send, as the child prints it: `ack <partition> <lastOffset> <lastSeq>`. */
export interface Ack {
  readonly runId: number
  readonly partition: number
  readonly lastOffset: number
  readonly lastSequence: number
}

export function parseAck(line: string, runId: number): Ack | undefined {
  const match = /^ack (\d+) (\d+) (\d+)$/.exec(line)
  if (match === null) return undefined
  return { runId, partition: Number(match[1]), lastOffset: Number(match[2]), lastSequence: Number(match[3]) }
}
