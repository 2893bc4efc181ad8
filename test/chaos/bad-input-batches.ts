/**
 * Hand-made RecordBatch v2 bytes for the bad-input tests: batches a producer of this log never
 * writes (compressed, or with lengths that lie), with a valid CRC32C so that only the lie is
 * wrong. The byte grammar is Kafka's (see the README, "The embedded log"):
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2) | crc uint32
 *   | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64
 *   | producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records
 *
 * The CRC covers attributes to the end; baseOffset and batchLength lie outside it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { crc32c } from '@node-rs/crc32'

export const BATCH_HEADER_BYTES = 61
/** Where batchLength sits in a batch (outside the CRC). */
export const BATCH_LENGTH_AT = 8
const CRC_AT = 17
const ATTRIBUTES_AT = 21

/** Compression codecs of the attributes' low three bits. */
export const CODEC = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const

export interface CraftedBatch {
  readonly baseOffset: number
  readonly timestamp: number
  /** Records the header claims. */
  readonly recordCount: number
  readonly codec: number
  /** The bytes after the header: encoded records, or a compressed block of them. */
  readonly body: Buffer
}

/** A batch with a correct batchLength and CRC32C around whatever `body` holds. */
export function craftBatch({ baseOffset, timestamp, recordCount, codec, body }: CraftedBatch): Buffer {
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + body.length)
  batch.writeBigInt64BE(BigInt(baseOffset), 0)
  batch.writeInt32BE(batch.length - 12, BATCH_LENGTH_AT)
  batch.writeInt32BE(0, 12)
  batch.writeInt8(2, 16)
  batch.writeInt16BE(codec, ATTRIBUTES_AT)
  batch.writeInt32BE(Math.max(recordCount - 1, 0), 23)
  batch.writeBigInt64BE(BigInt(timestamp), 27)
  batch.writeBigInt64BE(BigInt(timestamp), 35)
  batch.writeBigInt64BE(-1n, 43)
  batch.writeInt16BE(-1, 51)
  batch.writeInt32BE(-1, 53)
  batch.writeInt32BE(recordCount, 57)
  body.copy(batch, BATCH_HEADER_BYTES)
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_AT)), CRC_AT)
  return batch
}

/** A zigzag varint, as Kafka's records encode their lengths and deltas. */
export function varint(value: number): Buffer {
  let unsigned = value >= 0 ? value * 2 : -value * 2 - 1
  const bytes: number[] = []
  while (unsigned >= 0x80) {
    bytes.push((unsigned % 0x80) | 0x80)
    unsigned = Math.floor(unsigned / 0x80)
  }
  bytes.push(unsigned)
  return Buffer.from(bytes)
}

/** One record without key and headers, its length prefix first. */
export function encodeRecord(offsetDelta: number, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0]), varint(0), varint(offsetDelta), varint(-1), varint(value.length), value, varint(0)])
  return Buffer.concat([varint(body.length), body])
}

/**
 * A gzip stream that inflates to `inflatedBytes` zero bytes (rounded up to whole MiB) while
 * taking about a thousandth of that: one member of zeros, repeated (gzip allows members back to
 * back), so the bomb is built without allocating what it inflates to.
 */
export function gzipBomb(inflatedBytes: number): Buffer {
  const memberBytes = 8 * 1024 * 1024
  const member = gzipSync(Buffer.alloc(memberBytes), { level: 9 })
  return Buffer.concat(Array.from({ length: Math.ceil(inflatedBytes / memberBytes) }, () => member))
}

/** The segment files of a partition directory, oldest first. */
export function segmentFiles(partitionDir: string): string[] {
  return fs
    .readdirSync(partitionDir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
    .map((name) => path.join(partitionDir, name))
}

/** The positions of the batches in a segment file, walking the length prefixes. */
export function batchPositions(segment: Buffer): number[] {
  const positions: number[] = []
  for (let at = 0; at + BATCH_HEADER_BYTES <= segment.length; at += 12 + segment.readInt32BE(at + BATCH_LENGTH_AT)) positions.push(at)
  return positions
}

/** The largest resident set the process has had so far, in bytes (Linux reports KiB). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024
}
