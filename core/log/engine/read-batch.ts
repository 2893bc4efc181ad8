import type { IsolationLevel, LogRecord } from '../types.js'
import type { ProducerState } from './producer-state.js'
import { decodeRecords, isControl, isTransactional, lastOffsetOf, type BatchHeader } from './record-batch.js'

/** The partition a batch is read from: names for errors, transaction bookkeeping for read_committed. */
export interface BatchSource {
  readonly topic: string
  readonly partition: number
  readonly producerState: ProducerState
}

/**
 * Reads one stored batch (already checked) for a fetch that has reached `nextOffset`: its records
 * from there on go to `out`, up to `maxRecords`, except for a control batch (a transaction marker)
 * and, under read_committed, a batch of an aborted transaction, which are skipped whole. Returns
 * where the fetch goes on: right after the last record taken when `out` filled up inside the batch,
 * else past the batch (so the offsets a marker or an aborted batch takes are stepped over).
 *
 * @example
 * next = readBatchRecords(partition, batch, 0, header, next, 'read_committed', out, maxRecords)
 * if (out.length >= maxRecords) return next
 */
export function readBatchRecords(
  source: BatchSource, buf: Buffer, at: number, header: BatchHeader, nextOffset: number,
  isolation: IsolationLevel, out: LogRecord[], maxRecords: number,
): number {
  const last = lastOffsetOf(header)
  const aborted = isolation === 'read_committed' && isTransactional(header) && source.producerState.isAborted(header.producerId, header.baseOffset)
  const countBefore = out.length
  if (!isControl(header) && !aborted) decodeRecords(buf, at, header, source.topic, source.partition, nextOffset, out, maxRecords)
  if (out.length >= maxRecords && out.length > countBefore) {
    const lastRecord = out[out.length - 1]!
    return lastRecord.offset < last ? lastRecord.offset + 1 : last + 1
  }
  return last + 1
}
