/**
 * The baseline the append benchmarks compare against: the same bytes in the same batch sizes,
 * written to a fresh file with plain synchronous `fs` calls, no framing, no index, no CRC.
 * What the log adds on top of this is its own cost.
 *
 * @example
 * const raw = rawWrite(join(dir, 'raw'), { totalBytes: 500_000_000, batches: 5_000, sync: false })
 * console.log(mbPerSecond(500_000_000, raw.seconds))
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs'
import { elapsedMs } from './report.js'

export interface RawWritePlan {
  readonly totalBytes: number
  /** The bytes are split into this many writes of (nearly) equal size. */
  readonly batches: number
  /** `fdatasync` after every write, as a log with durability `fsync` does per batch. */
  readonly sync: boolean
}

export interface RawWriteResult {
  /** From opening the file to closing it. */
  readonly seconds: number
  /** One entry per write (plus its fdatasync when `sync`). */
  readonly writeLatenciesMs: Float64Array
}

/** Writes `plan.totalBytes` to a new file at `path`, one `writeSync` per batch. */
export function rawWrite(path: string, plan: RawWritePlan): RawWriteResult {
  const batchBytes = Math.ceil(plan.totalBytes / plan.batches)
  const buffer = randomBytes(batchBytes)
  const writeLatenciesMs = new Float64Array(plan.batches)
  const startNs = process.hrtime.bigint()
  const fd = openSync(path, 'wx')
  try {
    let written = 0
    for (let batch = 0; batch < plan.batches && written < plan.totalBytes; batch++) {
      const writeStartNs = process.hrtime.bigint()
      written += writeFully(fd, buffer, Math.min(batchBytes, plan.totalBytes - written))
      if (plan.sync) fdatasyncSync(fd)
      writeLatenciesMs[batch] = elapsedMs(writeStartNs)
    }
  } finally {
    closeSync(fd)
  }
  return { seconds: elapsedMs(startNs) / 1000, writeLatenciesMs }
}

/** `writeSync` may write less than asked; loop until `length` bytes are out. */
function writeFully(fd: number, buffer: Buffer, length: number): number {
  let offset = 0
  while (offset < length) offset += writeSync(fd, buffer, offset, length - offset)
  return length
}
