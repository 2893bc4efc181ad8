/**
 * Coverage-guided target: the RecordBatch v2 decoder of the embedded log, on bytes as a damaged
 * segment would hold them. The batches are walked as the segment reader walks them: a header,
 * `checkBatch`, then the records (`decodeRecords`) or the marker of a control batch. Allowed: a
 * problem from `checkBatch` and a CorruptRecordError; any other error (a RangeError from a read
 * past the end, a TypeError) is a finding, and so is a record outside its batch's offsets.
 *
 * The first byte chooses the mode, the rest are the segment's bytes:
 * - bit 0: recompute each batch's CRC32C first, so the fuzzer gets past the checksum into the
 *   framing of the records (it cannot forge a CRC on its own);
 * - bit 1: also call `decodeRecords` on batches `checkBatch` refuses (its own length checks must
 *   hold without the CRC's help: it documents a CorruptRecordError for malformed records).
 *
 * @example
 * fuzz(Buffer.concat([Buffer.from([1]), encodeBatch(records, { baseOffset: 0 })]))
 */
import { gzipSync } from 'node:zlib'
import { crc32c } from '@node-rs/crc32'
import { CorruptRecordError } from '../../../../core/log/errors.js'
import {
  BATCH_HEADER_BYTES, batchTotalBytes, checkBatch, decodeRecords, encodeBatch, encodeControlBatch, isControl, lastOffsetOf, LOG_OVERHEAD, readBatchHeader, readControlMarker,
  type BatchRecord,
} from '../../../../core/log/engine/record-batch.js'
import type { LogRecord } from '../../../../core/log/types.js'
import { InvariantBroken, onlyTyped } from './typed-errors.js'

const AT_CRC = 17
const AT_ATTRIBUTES = 21
/** A small cap on inflated gzip blocks keeps each run fast; the cap's error is a CorruptRecordError too. */
const MAX_INFLATED_BYTES = 1 << 20
const MAX_RECORDS = 10_000

/**
 * One input: a mode byte, then segment bytes walked batch by batch.
 *
 * @example
 * fuzz(Buffer.from([1, ...segmentBytes]))
 */
export function fuzz(data: Buffer): void {
  if (data.length === 0) return
  const fixCrc = (data[0]! & 1) !== 0
  const decodeRefused = (data[0]! & 2) !== 0
  const segment = Buffer.from(data.subarray(1))
  let pos = 0
  while (pos + BATCH_HEADER_BYTES <= segment.length) {
    if (fixCrc) recomputeCrc(segment, pos)
    const header = readBatchHeader(segment, pos)
    const problem = checkBatch(segment, pos, header)
    if (problem !== undefined && !decodeRefused) return
    if (isControl(header)) {
      if (problem === undefined) readControlMarker(segment, pos, header) // checked: must not throw
    } else {
      const out: LogRecord[] = []
      const outcome = onlyTyped([CorruptRecordError], () => decodeRecords(segment, pos, header, 'fuzz', 0, 0, out, MAX_RECORDS, MAX_INFLATED_BYTES))
      if (outcome === 'typed' && out.length > 0) throw new InvariantBroken(`decodeRecords threw a CorruptRecordError yet delivered ${out.length} records`)
      for (const record of out) {
        if (record.offset < header.baseOffset || record.offset > lastOffsetOf(header)) {
          throw new InvariantBroken(`record offset ${record.offset} outside its batch [${header.baseOffset}, ${lastOffsetOf(header)}]`)
        }
      }
    }
    if (problem !== undefined) return
    pos += batchTotalBytes(header)
  }
}

/** Writes the CRC32C the batch at `pos` should carry, when its length fits the data. */
function recomputeCrc(segment: Buffer, pos: number): void {
  const end = pos + LOG_OVERHEAD + segment.readInt32BE(pos + 8)
  if (end < pos + BATCH_HEADER_BYTES || end > segment.length) return
  segment.writeUInt32BE(crc32c(segment.subarray(pos + AT_ATTRIBUTES, end)), pos + AT_CRC)
}

/** The batch with its records section gzipped, as a Kafka producer with compression.type=gzip writes it. */
function gzipped(batch: Buffer): Buffer {
  const records = gzipSync(batch.subarray(BATCH_HEADER_BYTES))
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_BYTES), records])
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8)
  out.writeInt16BE(out.readInt16BE(AT_ATTRIBUTES) | 1, AT_ATTRIBUTES)
  recomputeCrc(out, 0)
  return out
}

/**
 * Valid segments to start from: plain, keyed, with headers, transactional with its marker, gzip.
 *
 * @example
 * for (const seed of seeds()) fuzz(seed) // none throws
 */
export function seeds(): Buffer[] {
  const at = 1_700_000_000_000
  const record = (key: string | null, value: string | null, headers: [string, string][] = []): BatchRecord => ({
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: headers.map(([name, text]) => ({ key: name, value: Buffer.from(text) })),
    timestamp: at,
  })
  const plain = encodeBatch([record(null, 'a'), record('k', 'value'), record('k2', null)], { baseOffset: 0 })
  const headed = encodeBatch([record('id-1', '{"n":1}', [['trace', 'x'], ['empty', '']])], { baseOffset: 3, producerId: 7, producerEpoch: 0, baseSequence: 0 })
  const transactional = encodeBatch([record('t', 'in a transaction')], { baseOffset: 4, producerId: 9, producerEpoch: 1, baseSequence: 0, transactional: true })
  const marker = encodeControlBatch(5, 9, 1, 'commit', at)
  const abort = encodeControlBatch(6, 9, 1, 'abort', at)
  const compacted = encodeBatch([record('a', '1'), record('c', '3')], { baseOffset: 7, offsets: [7, 9], lastOffset: 10 })
  const mode = (bits: number, ...batches: Buffer[]): Buffer => Buffer.concat([Buffer.from([bits]), ...batches])
  return [
    mode(0, plain),
    mode(1, plain, headed),
    mode(1, transactional, marker, abort),
    mode(3, compacted),
    mode(1, gzipped(plain)),
    mode(3, gzipped(headed), plain),
  ]
}
