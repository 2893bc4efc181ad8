/**
 * What the kill -9 test's child appends and how the parent recognises it. Every value is a
 * pure function of (run id, sequence, filler length), so the checker can tell a record byte
 * for byte.
 *
 *   value => runId uint32 BE, sequence uint32 BE, fillerBytes uint32 BE, filler (a pattern from run and sequence)
 */
import type { TopicConfig } from '../../core/log/types.js'
import type { SeededRandom } from './seeded-random.js'

export const CRASH_TOPIC = 'crash-appends'
export const CRASH_PARTITIONS = 2
/** Small segments, so kills also land while a segment rolls. */
export const CRASH_TOPIC_CONFIG: TopicConfig = { partitions: CRASH_PARTITIONS, segmentBytes: 256 * 1024 }
export const MAX_RECORDS_PER_BATCH = 50
/** Keeps one batch under the default maxRecordBytes (1 MiB). */
export const MAX_VALUE_BYTES_PER_BATCH = 900 * 1024

const VALUE_HEADER_BYTES = 12
const LARGE_VALUE_BYTES = 64 * 1024

function mix(value: number): number {
  let h = Math.imul(value ^ 0x5bd1e995, 0x27d4eb2d)
  h ^= h >>> 15
  h = Math.imul(h, 0x165667b1)
  return (h ^ (h >>> 13)) >>> 0
}

/**
 * The shape of the next batch: one in five is bulk (a dozen values of about 64 KiB, so its
 * write takes long enough for kills to tear it); the rest mix 1-50 small values with an
 * occasional large one.
 */
export function nextBatchShape(random: SeededRandom): number[] {
  if (random.chance(0.2)) return Array.from({ length: random.int(8, 13) }, () => random.int(LARGE_VALUE_BYTES - 8192, LARGE_VALUE_BYTES))
  return Array.from({ length: random.int(1, MAX_RECORDS_PER_BATCH) }, () => (random.chance(0.04) ? random.int(LARGE_VALUE_BYTES - 8192, LARGE_VALUE_BYTES) : random.int(0, 400)))
}

export function encodeValue(runId: number, sequence: number, fillerBytes: number): Buffer {
  const value = Buffer.allocUnsafe(VALUE_HEADER_BYTES + fillerBytes)
  value.writeUInt32BE(runId, 0)
  value.writeUInt32BE(sequence, 4)
  value.writeUInt32BE(fillerBytes, 8)
  // A pattern that differs per (run, sequence), written natively: the child's time goes to appending, not to making values.
  const pattern = Buffer.allocUnsafe(8)
  pattern.writeUInt32BE(mix(sequence + runId * 7919), 0)
  pattern.writeUInt32BE(mix(sequence ^ 0x2545f491), 4)
  if (fillerBytes > 0) value.fill(pattern, VALUE_HEADER_BYTES)
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
  const fillerBytes = value.readUInt32BE(8)
  if (fillerBytes !== value.length - VALUE_HEADER_BYTES) return undefined
  return encodeValue(runId, sequence, fillerBytes).equals(value) ? { runId, sequence } : undefined
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
