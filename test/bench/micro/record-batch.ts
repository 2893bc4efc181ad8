/**
 * Micro-benchmark of the RecordBatch v2 codec on one core, no I/O: encodeBatch, checkBatch and
 * decodeRecords over batches of 1,000 records with 100-byte values and null keys (the log-append
 * workload's shape). Goals: encode ≥ 2,000,000 records/s, decode ≥ 4,000,000 records/s.
 * Prints one JSON line; `TRIBUTARY_BENCH_SCALE` multiplies the record count.
 *
 * @example
 * npx tsx test/bench/micro/record-batch.ts
 * // {"workload":"record-batch-micro","records":20000000,"encode_records_per_s":…,"decode_records_per_s":…}
 */
import { randomBytes } from 'node:crypto'
import {
  batchTotalBytes,
  checkBatch,
  decodeRecords,
  encodeBatch,
  readBatchHeader,
  type BatchRecord,
} from '../../../core/log/engine/record-batch.js'
import type { LogRecord } from '../../../core/log/types.js'

const BATCH_RECORDS = 1_000
const VALUE_BYTES = 100
const ROUNDS = 5
const scale = Number(process.env['TRIBUTARY_BENCH_SCALE'] ?? '1')
const batchesPerRound = Math.max(1, Math.round(4_000 * scale))

// Distinct values per record, as a real producer sends; one pool, sliced, so setup stays cheap.
const pool = randomBytes(BATCH_RECORDS * VALUE_BYTES)
const records: BatchRecord[] = []
for (let i = 0; i < BATCH_RECORDS; i++) {
  records.push({ key: null, value: pool.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES), headers: [], timestamp: 1_700_000_000_000 + i })
}

function encodeRound(): { seconds: number; batches: Buffer[] } {
  const batches: Buffer[] = []
  const start = process.hrtime.bigint()
  for (let b = 0; b < batchesPerRound; b++) batches.push(encodeBatch(records, { baseOffset: b * BATCH_RECORDS }))
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, batches }
}

/** One segment-sized buffer of all batches back to back, read as the log reads a file chunk. */
function decodeRound(segment: Buffer, verify: boolean): number {
  const out: LogRecord[] = []
  let decoded = 0
  const start = process.hrtime.bigint()
  for (let pos = 0; pos < segment.length;) {
    const header = readBatchHeader(segment, pos)
    if (verify && checkBatch(segment, pos, header) !== undefined) throw new Error(`bad batch at ${pos}`)
    decodeRecords(segment, pos, header, 'bench', 0, 0, out, 10_000)
    if (out.length >= 10_000) {
      decoded += out.length
      out.length = 0
    }
    pos += batchTotalBytes(header)
  }
  decoded += out.length
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (decoded !== batchesPerRound * BATCH_RECORDS) throw new Error(`decoded ${decoded} records`)
  return seconds
}

let encodeSeconds = Infinity
let decodeSeconds = Infinity
let verifiedDecodeSeconds = Infinity
for (let round = 0; round < ROUNDS; round++) {
  const encoded = encodeRound()
  const segment = Buffer.concat(encoded.batches)
  // Best round of each: the first rounds include JIT warm-up.
  encodeSeconds = Math.min(encodeSeconds, encoded.seconds)
  decodeSeconds = Math.min(decodeSeconds, decodeRound(segment, false))
  verifiedDecodeSeconds = Math.min(verifiedDecodeSeconds, decodeRound(segment, true))
}

const perRound = batchesPerRound * BATCH_RECORDS
console.log(JSON.stringify({
  workload: 'record-batch-micro',
  records: perRound * ROUNDS,
  batch_records: BATCH_RECORDS,
  value_bytes: VALUE_BYTES,
  encode_records_per_s: Math.round(perRound / encodeSeconds),
  decode_records_per_s: Math.round(perRound / decodeSeconds),
  check_and_decode_records_per_s: Math.round(perRound / verifiedDecodeSeconds),
}))
