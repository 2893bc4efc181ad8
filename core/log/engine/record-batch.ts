/**
 * Kafka's RecordBatch v2 (magic 2): the format of every batch the embedded and memory logs store, byte
 * for byte what a Kafka broker stores, so segments can be read by Kafka's own tools.
 *
 * Byte grammar (big-endian; varint and varlong are zigzag-encoded base-128, as protobuf's sint32/sint64):
 *
 *   RecordBatch =>                          byte offset
 *     baseOffset            int64           0    offset of the first record
 *     batchLength           int32           8    bytes after this field
 *     partitionLeaderEpoch  int32           12
 *     magic                 int8            16   = 2
 *     crc                   uint32          17   CRC32C of bytes [21, end): attributes to the last record
 *     attributes            int16           21   bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd),
 *                                                bit 3 timestampType (0 create, 1 log append),
 *                                                bit 4 isTransactional, bit 5 isControl
 *     lastOffsetDelta       int32           23   last offset - baseOffset (kept by compaction)
 *     baseTimestamp         int64           27   timestamp of the first record
 *     maxTimestamp          int64           35
 *     producerId            int64           43   -1 when not idempotent
 *     producerEpoch         int16           51
 *     baseSequence          int32           53
 *     recordCount           int32           57
 *     records               [Record]        61   one compressed block when compression is not 0
 *
 *   Record =>
 *     length          varint    bytes after this field
 *     attributes      int8      unused, 0
 *     timestampDelta  varlong   timestamp - baseTimestamp
 *     offsetDelta     varint    offset - baseOffset
 *     keyLength       varint    -1 for a null key
 *     key             bytes
 *     valueLength     varint    -1 for a null value
 *     value           bytes
 *     headerCount     varint
 *     headers         [Header]
 *
 *   Header => keyLength varint, key utf8, valueLength varint (-1 null), value bytes
 *
 *   Control batch (isControl and isTransactional set) => exactly one record whose
 *     key   = version int16 (0), type int16 (0 abort, 1 commit)
 *     value = version int16 (0), coordinatorEpoch int32
 *
 * Offsets and timestamps are JavaScript numbers: int64 fields are read and written as two 32-bit
 * halves, exact up to 2^53 - 1, because BigInt would cost an allocation per field (see ./varint.ts).
 * A structural fault surfaces as MalformedBytes inside this module and leaves it as a CorruptRecordError.
 */
import { gunzipSync } from 'node:zlib'
import { crc32c } from '@node-rs/crc32'
import { CorruptRecordError } from '../errors.js'
import type { LogRecord, RecordHeader } from '../types.js'
import {
  cursor, MalformedBytes, readInt64, readVarint, readVarlong, varintBytes, varlongBytes, writeInt64, writeVarint, writeVarlong,
} from './varint.js'

export const BATCH_HEADER_BYTES = 61
export const LOG_OVERHEAD = 12 // baseOffset + batchLength
/** Default cap on the inflated size of one compressed batch (a gzip bomb stops here). */
export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024

const MAGIC = 2
const AT_BATCH_LENGTH = 8
const AT_LEADER_EPOCH = 12
const AT_MAGIC = 16
const AT_CRC = 17
const AT_ATTRIBUTES = 21
const AT_LAST_OFFSET_DELTA = 23
const AT_BASE_TIMESTAMP = 27
const AT_MAX_TIMESTAMP = 35
const AT_PRODUCER_ID = 43
const AT_PRODUCER_EPOCH = 51
const AT_BASE_SEQUENCE = 53
const AT_RECORD_COUNT = 57
/** The smallest batchLength: the header after the length field, no records. */
const MIN_BATCH_LENGTH = BATCH_HEADER_BYTES - LOG_OVERHEAD
/** attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount: one byte each at least. */
const MIN_RECORD_BODY_BYTES = 6
const MAX_INT32 = 0x7fffffff

const COMPRESSION_MASK = 0x07
const LOG_APPEND_TIME_BIT = 0x08
const TRANSACTIONAL_BIT = 0x10
const CONTROL_BIT = 0x20
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
const NO_TIMESTAMP = -1
const EMPTY_HEADERS: readonly RecordHeader[] = Object.freeze([])
const EMPTY_BUFFER = Buffer.alloc(0)

export interface BatchHeader {
  readonly baseOffset: number; readonly batchLength: number /* bytes after the length field */
  readonly partitionLeaderEpoch: number; readonly magic: number; readonly crc: number; readonly attributes: number
  readonly lastOffsetDelta: number; readonly baseTimestamp: number; readonly maxTimestamp: number
  readonly producerId: number; readonly producerEpoch: number; readonly baseSequence: number; readonly recordCount: number
}

export interface BatchRecord {
  readonly key?: Buffer | null
  readonly value: Buffer | null
  readonly headers?: readonly RecordHeader[]
  /** Defaults to the batch's `defaultTimestamp`. */
  readonly timestamp?: number
}

export interface EncodeBatchOptions {
  readonly baseOffset: number
  readonly producerId?: number // default -1 (not idempotent)
  readonly producerEpoch?: number // default -1
  readonly baseSequence?: number // default -1
  readonly transactional?: boolean // default false
  /** Absolute offset of each record, ascending, for compaction rewrites; default baseOffset + index. */
  readonly offsets?: readonly number[]
  /** When given, lastOffsetDelta is this minus baseOffset (compaction keeps the batch's last offset). */
  readonly lastOffset?: number
  /** The timestamp of records that carry none (a producer's clock at send). */
  readonly defaultTimestamp?: number
}

/**
 * Reads the 61-byte header of the batch at `pos`; the caller guarantees the 61 bytes are there.
 * Nothing is validated here: that is `checkBatch`'s job.
 *
 * @example
 * const header = readBatchHeader(segment, 0)
 * const next = batchTotalBytes(header) // where the following batch starts
 */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos),
    batchLength: buf.readInt32BE(pos + AT_BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + AT_LEADER_EPOCH),
    magic: buf.readInt8(pos + AT_MAGIC),
    crc: buf.readUInt32BE(pos + AT_CRC),
    attributes: buf.readInt16BE(pos + AT_ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + AT_LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(buf, pos + AT_BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + AT_MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + AT_PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + AT_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + AT_BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + AT_RECORD_COUNT),
  }
}

/**
 * The whole size of a batch on disk, its length prefix included.
 *
 * @example
 * for (let pos = 0; pos + BATCH_HEADER_BYTES <= buf.length; pos += batchTotalBytes(readBatchHeader(buf, pos))) {}
 */
export function batchTotalBytes(header: BatchHeader): number {
  return LOG_OVERHEAD + header.batchLength
}

/**
 * The offset of the batch's last record (compaction may have removed it; the offset stays taken).
 *
 * @example
 * const nextOffset = lastOffsetOf(readBatchHeader(buf, 0)) + 1
 */
export function lastOffsetOf(header: BatchHeader): number {
  return header.baseOffset + header.lastOffsetDelta
}

/**
 * Whether the batch belongs to a transaction (its records wait for a marker under read_committed).
 *
 * @example
 * if (isTransactional(header) && !isControl(header)) pending.add(header.producerId)
 */
export function isTransactional(header: BatchHeader): boolean {
  return (header.attributes & TRANSACTIONAL_BIT) !== 0
}

/**
 * Whether the batch is a control batch (a transaction's commit or abort marker, no user records).
 *
 * @example
 * if (isControl(header)) console.log(readControlMarker(buf, pos, header)) // 'commit' or 'abort'
 */
export function isControl(header: BatchHeader): boolean {
  return (header.attributes & CONTROL_BIT) !== 0
}

/**
 * Checks the whole batch at `pos`: magic, length, CRC32C, and that exactly `recordCount` records fill it.
 * Returns undefined when it is valid, else a short reason. baseOffset and partitionLeaderEpoch lie outside
 * the CRC (as in Kafka), so the reader checks baseOffset against the offset it expects.
 *
 * @example
 * const problem = checkBatch(buf, pos, header)
 * if (problem !== undefined) throw new CorruptRecordError(topic, partition, header.baseOffset, problem)
 */
export function checkBatch(buf: Buffer, pos: number, header: BatchHeader): string | undefined {
  const { batchLength, recordCount: count, lastOffsetDelta } = header
  if (header.magic !== MAGIC) return `bad magic ${header.magic} (expected ${MAGIC})`
  if (batchLength < MIN_BATCH_LENGTH) return `bad length: batchLength ${batchLength} is shorter than the header`
  const end = pos + LOG_OVERHEAD + batchLength
  if (end > buf.length) return `bad length: batchLength ${batchLength} runs ${end - buf.length} bytes past the data`
  const computed = crc32c(buf.subarray(pos + AT_ATTRIBUTES, end))
  if (computed !== header.crc) return `crc mismatch: stored 0x${hex32(header.crc)}, computed 0x${hex32(computed)}`
  if (count < 0 || lastOffsetDelta < 0 || count > lastOffsetDelta + 1) {
    return `record count mismatch: ${count} records cannot have lastOffsetDelta ${lastOffsetDelta}`
  }
  const codec = header.attributes & COMPRESSION_MASK
  if (codec >= CODEC_NAMES.length) return `unknown compression codec ${codec}`
  if (isControl(header)) return controlProblem(buf, pos, header)
  // A compressed block is checked record by record once inflated, in decodeRecords.
  return codec === 0 ? recordFramingProblem(buf, pos + BATCH_HEADER_BYTES, end, count) : undefined
}

/**
 * Encodes records as one batch, sized exactly and allocated once. Timestamps are create times; the batch's
 * baseTimestamp is the first record's, maxTimestamp the largest. partitionLeaderEpoch is written as 0
 * (an in-process log has one leader that never changes). Throws RangeError on offsets or timestamps it
 * cannot write exactly.
 *
 * @example
 * const batch = encodeBatch([{ key: null, value: Buffer.from('v'), headers: [], timestamp: 1700000000000 }],
 *   { baseOffset: 42 })
 */
export function encodeBatch(records: readonly BatchRecord[], options: EncodeBatchOptions): Buffer {
  const { baseOffset, offsets } = options
  const count = records.length
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) throw new RangeError(`encodeBatch: bad baseOffset ${baseOffset}`)
  if (offsets !== undefined && offsets.length !== count) {
    throw new RangeError(`encodeBatch: ${offsets.length} offsets given for ${count} records`)
  }
  const defaultTimestamp = options.defaultTimestamp ?? NO_TIMESTAMP
  const baseTimestamp = count === 0 ? NO_TIMESTAMP : (records[0]!.timestamp ?? defaultTimestamp)
  let maxTimestamp = baseTimestamp
  let size = BATCH_HEADER_BYTES
  let previousDelta = -1
  const bodySizes = bodySizeScratch(count)
  for (let i = 0; i < count; i++) {
    const record = records[i]!
    const offsetDelta = offsets === undefined ? i : offsets[i]! - baseOffset
    if (!(offsetDelta > previousDelta && offsetDelta <= MAX_INT32)) {
      throw new RangeError(`encodeBatch: offset of record ${i} is not ascending within int32 of ${baseOffset}`)
    }
    previousDelta = offsetDelta
    // With a safe delta, the delta is exact and so is base + delta when reading.
    const timestamp = record.timestamp ?? defaultTimestamp
    const timestampDelta = timestamp - baseTimestamp
    if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(timestampDelta)) {
      throw new RangeError(`encodeBatch: timestamp ${timestamp} of record ${i} is not a safe integer near the first`)
    }
    if (timestamp > maxTimestamp) maxTimestamp = timestamp
    const body = recordBodyBytes(record, timestampDelta, offsetDelta)
    bodySizes[i] = body
    size += varintBytes(body) + body
  }
  const lastOffsetDelta = lastOffsetDeltaFor(options, previousDelta)
  const buf = Buffer.allocUnsafe(size)
  writeHeader(buf, baseOffset, size, options.transactional === true ? TRANSACTIONAL_BIT : 0, lastOffsetDelta,
    baseTimestamp, maxTimestamp, options.producerId ?? -1, options.producerEpoch ?? -1, options.baseSequence ?? -1, count)
  let pos = BATCH_HEADER_BYTES
  for (let i = 0; i < count; i++) {
    const record = records[i]!
    pos = writeVarint(buf, pos, bodySizes[i]!)
    pos = writeRecordBody(buf, pos, record, (record.timestamp ?? defaultTimestamp) - baseTimestamp, offsets === undefined ? i : offsets[i]! - baseOffset)
  }
  buf.writeUInt32BE(crc32c(buf.subarray(AT_ATTRIBUTES)), AT_CRC)
  return buf
}

/**
 * Encodes a transaction marker: a transactional control batch of one record (coordinatorEpoch 0).
 *
 * @example
 * const marker = encodeControlBatch(nextOffset, producerId, producerEpoch, 'commit', clock.now())
 */
export function encodeControlBatch(
  baseOffset: number, producerId: number, producerEpoch: number, marker: 'commit' | 'abort', timestamp: number,
): Buffer {
  // record body: attributes, timestampDelta 0, offsetDelta 0, keyLength 4, key, valueLength 6, value, headerCount 0
  const body = 1 + 1 + 1 + 1 + 4 + 1 + 6 + 1
  const size = BATCH_HEADER_BYTES + 1 + body
  const buf = Buffer.allocUnsafe(size)
  writeHeader(buf, baseOffset, size, TRANSACTIONAL_BIT | CONTROL_BIT, 0, timestamp, timestamp, producerId, producerEpoch, -1, 1)
  let pos = writeVarint(buf, BATCH_HEADER_BYTES, body)
  buf[pos++] = 0 // attributes
  buf[pos++] = 0 // timestampDelta
  buf[pos++] = 0 // offsetDelta
  pos = writeVarint(buf, pos, 4)
  pos = buf.writeInt16BE(0, pos) // key version
  pos = buf.writeInt16BE(marker === 'commit' ? 1 : 0, pos)
  pos = writeVarint(buf, pos, 6)
  pos = buf.writeInt16BE(0, pos) // value version
  pos = buf.writeInt32BE(0, pos) // coordinatorEpoch
  buf[pos] = 0 // headerCount
  buf.writeUInt32BE(crc32c(buf.subarray(AT_ATTRIBUTES)), AT_CRC)
  return buf
}

/**
 * Reads the marker of a control batch that `checkBatch` accepted. Throws RangeError when the batch
 * is not a well-formed commit or abort marker (which checkBatch reports as corruption first).
 *
 * @example
 * if (isControl(header) && readControlMarker(buf, pos, header) === 'abort') aborted.add(header.producerId)
 */
export function readControlMarker(buf: Buffer, pos: number, header: BatchHeader): 'commit' | 'abort' {
  const problem = controlProblem(buf, pos, header)
  if (problem !== undefined) throw new RangeError(`readControlMarker: ${problem}`)
  return controlType(buf, pos, header) === 1 ? 'commit' : 'abort'
}

/**
 * Writes a new baseOffset into an encoded batch in place (baseOffset is outside the CRC).
 *
 * @example
 * setBaseOffset(batch, 0, nextOffset) // assign offsets at append time
 */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos, baseOffset)
}

/**
 * Decodes the records of the batch at pos into `out` (appending), skipping records whose offset < minOffset,
 * stopping once out.length reaches `limit`. Throws CorruptRecordError(topic, partition, baseOffset, reason)
 * when the records are malformed (lengths past the end, count mismatch), and then leaves `out` as it was, so
 * no part of a damaged batch is delivered. Key/value/header values are zero-copy subarrays of buf (of the
 * inflated block for gzip). Compression: 0 none; 1 gzip is inflated with node:zlib capped at
 * `maxInflatedBytes`; snappy/lz4/zstd throw CorruptRecordError naming the unsupported codec.
 * Control batches yield no records. Under log-append time every record gets the batch's maxTimestamp, as in Kafka.
 *
 * @example
 * const out: LogRecord[] = []
 * decodeRecords(buf, 0, readBatchHeader(buf, 0), 'orders', 0, position, out, maxPollRecords)
 */
export function decodeRecords(
  buf: Buffer, pos: number, header: BatchHeader, topic: string, partition: number,
  minOffset: number, out: LogRecord[], limit: number, maxInflatedBytes: number = DEFAULT_MAX_INFLATED_BYTES,
): void {
  if (isControl(header) || out.length >= limit || lastOffsetOf(header) < minOffset) return
  const lengthBefore = out.length
  try {
    let data = buf
    let start = pos + BATCH_HEADER_BYTES
    let end = pos + LOG_OVERHEAD + header.batchLength
    if (header.batchLength < MIN_BATCH_LENGTH || end > buf.length) {
      throw new MalformedBytes(`batchLength ${header.batchLength} does not fit the ${buf.length - pos} bytes available`)
    }
    const codec = header.attributes & COMPRESSION_MASK
    if (codec !== 0) {
      data = inflate(codec, buf.subarray(start, end), maxInflatedBytes)
      start = 0
      end = data.length
    }
    readRecords(data, start, end, header, topic, partition, minOffset, out, limit)
  } catch (err) {
    if (!(err instanceof MalformedBytes)) throw err
    out.length = lengthBefore
    throw new CorruptRecordError(topic, partition, header.baseOffset, err.message)
  }
}

function readRecords(
  data: Buffer, pos: number, end: number, header: BatchHeader, topic: string, partition: number,
  minOffset: number, out: LogRecord[], limit: number,
): void {
  const { baseOffset, baseTimestamp, lastOffsetDelta, recordCount } = header
  const logAppendTime = (header.attributes & LOG_APPEND_TIME_BIT) !== 0
  let previousDelta = -1
  for (let i = 0; i < recordCount; i++) {
    const length = readVarint(data, pos, end)
    pos = cursor
    if (length < MIN_RECORD_BODY_BYTES || length > end - pos) {
      throw new MalformedBytes(`record ${i} of ${recordCount} claims ${length} bytes, ${end - pos} remain in the batch`)
    }
    const recordEnd = pos + length
    const timestampDelta = readVarlong(data, pos + 1, recordEnd) // pos + 1 skips the unused attributes
    const offsetDelta = readVarint(data, cursor, recordEnd)
    if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta) {
      throw new MalformedBytes(`record ${i} has offsetDelta ${offsetDelta} after ${previousDelta}, last ${lastOffsetDelta}`)
    }
    previousDelta = offsetDelta
    const keyLength = readVarint(data, cursor, recordEnd)
    const keyStart = cursor
    const valueLength = readVarint(data, skipBytes(keyStart, keyLength, recordEnd, i), recordEnd)
    const valueStart = cursor
    const headerCount = readVarint(data, skipBytes(valueStart, valueLength, recordEnd, i), recordEnd)
    const offset = baseOffset + offsetDelta
    const wanted = offset >= minOffset
    let headers = EMPTY_HEADERS
    if (headerCount !== 0) headers = readHeaders(data, cursor, recordEnd, headerCount, i, wanted)
    else if (cursor !== recordEnd) throw new MalformedBytes(`record ${i} has ${recordEnd - cursor} bytes beyond its fields`)
    pos = recordEnd
    if (!wanted) continue
    // One object literal in one property order, so every record shares a hidden class.
    out.push({
      topic,
      partition,
      offset,
      timestamp: logAppendTime ? header.maxTimestamp : baseTimestamp + timestampDelta,
      key: keyLength < 0 ? null : data.subarray(keyStart, keyStart + keyLength),
      value: valueLength < 0 ? null : data.subarray(valueStart, valueStart + valueLength),
      headers,
    })
    if (out.length >= limit) return
  }
  if (pos !== end) throw new MalformedBytes(`${end - pos} bytes follow the last of ${recordCount} records`)
}

/** Checks a length-prefixed field (-1 is null) fits the record; returns where the next field starts. */
function skipBytes(start: number, length: number, recordEnd: number, index: number): number {
  if (length < -1 || length > recordEnd - start) {
    throw new MalformedBytes(`record ${index} has a field of length ${length} with ${recordEnd - start} bytes left`)
  }
  return length < 0 ? start : start + length
}

function readHeaders(
  data: Buffer, pos: number, recordEnd: number, count: number, index: number, wanted: boolean,
): readonly RecordHeader[] {
  if (count < 0 || count > (recordEnd - pos) / 2) throw new MalformedBytes(`record ${index} claims ${count} headers`)
  const headers: RecordHeader[] = []
  for (let h = 0; h < count; h++) {
    const keyLength = readVarint(data, pos, recordEnd)
    if (keyLength < 0) throw new MalformedBytes(`record ${index} has a header key of length ${keyLength}`)
    const keyStart = cursor
    const valueLength = readVarint(data, skipBytes(keyStart, keyLength, recordEnd, index), recordEnd)
    const valueStart = cursor
    pos = skipBytes(valueStart, valueLength, recordEnd, index)
    if (!wanted) continue
    // Kafka allows a null header value; RecordHeader has no null, so it reads as an empty buffer.
    const value = valueLength < 0 ? EMPTY_BUFFER : data.subarray(valueStart, valueStart + valueLength)
    headers.push({ key: data.toString('utf8', keyStart, keyStart + keyLength), value })
  }
  if (pos !== recordEnd) throw new MalformedBytes(`record ${index} has ${recordEnd - pos} bytes beyond its headers`)
  return headers
}

function inflate(codec: number, block: Buffer, maxInflatedBytes: number): Buffer {
  const name = CODEC_NAMES[codec]
  if (name === undefined) throw new MalformedBytes(`unknown compression codec ${codec}`)
  if (name !== 'gzip') throw new MalformedBytes(`compression codec ${name} is not supported`)
  try {
    return gunzipSync(block, { maxOutputLength: maxInflatedBytes })
  } catch (err) {
    // zlib throws RangeError (ERR_BUFFER_TOO_LARGE) once the output would pass maxOutputLength.
    if (err instanceof RangeError) throw new MalformedBytes(`gzip block inflates beyond ${maxInflatedBytes} bytes`)
    throw new MalformedBytes(`gzip block does not inflate: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Walks the record length prefixes of an uncompressed batch without decoding the records. */
function recordFramingProblem(buf: Buffer, pos: number, end: number, count: number): string | undefined {
  try {
    for (let i = 0; i < count; i++) {
      const length = readVarint(buf, pos, end)
      pos = cursor
      if (length < MIN_RECORD_BODY_BYTES || length > end - pos) {
        return `record structure mismatch: record ${i} of ${count} claims ${length} bytes, ${end - pos} remain`
      }
      pos += length
    }
  } catch (err) {
    if (err instanceof MalformedBytes) return `record structure mismatch: ${err.message}`
    throw err
  }
  return pos === end ? undefined : `record count mismatch: ${end - pos} bytes follow the last of ${count} records`
}

function controlProblem(buf: Buffer, pos: number, header: BatchHeader): string | undefined {
  if (header.recordCount !== 1) return `control batch with ${header.recordCount} records (expected 1)`
  if ((header.attributes & COMPRESSION_MASK) !== 0) return 'control batch is compressed'
  try {
    const type = controlType(buf, pos, header)
    return type === 0 || type === 1 ? undefined : `unknown control record type ${type}`
  } catch (err) {
    if (err instanceof MalformedBytes) return `control record structure mismatch: ${err.message}`
    throw err
  }
}

/** The control record's type field (0 abort, 1 commit); throws MalformedBytes when the record does not parse. */
function controlType(buf: Buffer, pos: number, header: BatchHeader): number {
  const end = pos + LOG_OVERHEAD + header.batchLength
  if (header.batchLength < MIN_BATCH_LENGTH || end > buf.length) throw new MalformedBytes('batch runs past the data')
  const length = readVarint(buf, pos + BATCH_HEADER_BYTES, end)
  if (length < MIN_RECORD_BODY_BYTES || cursor + length !== end) throw new MalformedBytes(`record of ${length} bytes`)
  readVarlong(buf, cursor + 1, end) // timestampDelta, after the attributes byte
  readVarint(buf, cursor, end) // offsetDelta
  const keyLength = readVarint(buf, cursor, end)
  if (keyLength < 4 || keyLength > end - cursor) throw new MalformedBytes(`key of ${keyLength} bytes`)
  if (buf.readInt16BE(cursor) !== 0) throw new MalformedBytes(`key version ${buf.readInt16BE(cursor)}`)
  return buf.readInt16BE(cursor + 2)
}

function lastOffsetDeltaFor(options: EncodeBatchOptions, lastRecordDelta: number): number {
  const delta = options.lastOffset === undefined ? lastRecordDelta : options.lastOffset - options.baseOffset
  if (options.lastOffset === undefined && delta < 0) throw new RangeError('encodeBatch: an empty batch needs lastOffset')
  if (!(delta >= lastRecordDelta && delta >= 0 && delta <= MAX_INT32)) {
    throw new RangeError(`encodeBatch: lastOffset ${options.lastOffset} is before a record or past int32 of the base`)
  }
  return delta
}

function writeHeader(
  buf: Buffer, baseOffset: number, size: number, attributes: number, lastOffsetDelta: number, baseTimestamp: number,
  maxTimestamp: number, producerId: number, producerEpoch: number, baseSequence: number, recordCount: number,
): void {
  writeInt64(buf, 0, baseOffset)
  buf.writeInt32BE(size - LOG_OVERHEAD, AT_BATCH_LENGTH)
  buf.writeInt32BE(0, AT_LEADER_EPOCH)
  buf[AT_MAGIC] = MAGIC
  buf.writeInt16BE(attributes, AT_ATTRIBUTES)
  buf.writeInt32BE(lastOffsetDelta, AT_LAST_OFFSET_DELTA)
  writeInt64(buf, AT_BASE_TIMESTAMP, baseTimestamp)
  writeInt64(buf, AT_MAX_TIMESTAMP, maxTimestamp)
  writeInt64(buf, AT_PRODUCER_ID, producerId)
  buf.writeInt16BE(producerEpoch, AT_PRODUCER_EPOCH)
  buf.writeInt32BE(baseSequence, AT_BASE_SEQUENCE)
  buf.writeInt32BE(recordCount, AT_RECORD_COUNT)
}

const NO_HEADERS: readonly RecordHeader[] = []

function recordBodyBytes(record: BatchRecord, timestampDelta: number, offsetDelta: number): number {
  const key = record.key ?? null
  const value = record.value
  const headers = record.headers ?? NO_HEADERS
  let size = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta) + varintBytes(headers.length)
  size += key === null ? 1 : varintBytes(key.length) + key.length
  size += value === null ? 1 : varintBytes(value.length) + value.length
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!
    const keyBytes = Buffer.byteLength(header.key, 'utf8')
    size += varintBytes(keyBytes) + keyBytes + varintBytes(header.value.length) + header.value.length
  }
  return size
}

function writeRecordBody(buf: Buffer, pos: number, record: BatchRecord, timestampDelta: number, offsetDelta: number): number {
  const key = record.key ?? null
  const value = record.value
  const headers = record.headers ?? NO_HEADERS
  buf[pos++] = 0 // attributes
  pos = writeVarlong(buf, pos, timestampDelta)
  pos = writeVarint(buf, pos, offsetDelta)
  pos = writeBytes(buf, pos, key)
  pos = writeBytes(buf, pos, value)
  pos = writeVarint(buf, pos, headers.length)
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!
    const keyBytes = Buffer.byteLength(header.key, 'utf8')
    pos = writeVarint(buf, pos, keyBytes)
    pos += buf.write(header.key, pos, keyBytes, 'utf8')
    pos = writeBytes(buf, pos, header.value)
  }
  return pos
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buf, pos, -1)
  pos = writeVarint(buf, pos, bytes.length)
  buf.set(bytes, pos) // a typed-array copy: cheaper than Buffer#copy for small values
  return pos + bytes.length
}

/** Grows once to the largest batch seen; encodeBatch is synchronous, so one scratch array is enough. */
let bodySizes = new Int32Array(1024)
function bodySizeScratch(count: number): Int32Array {
  if (bodySizes.length < count) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2))
  return bodySizes
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0')
}
