import { RecordTooLargeError } from '../errors.js'
import type { ProducerRecord } from '../types.js'
import { encodeBatch, type EncodeBatchOptions } from './record-batch.js'

/** Records `from` (inclusive) to `to` (exclusive) of a partition's group, encoded as one batch. */
export interface EncodedPiece {
  readonly batch: Buffer
  readonly from: number
  readonly to: number
}

/**
 * Encodes records as few batches as fit the topic's `maxRecordBytes` (one, almost always; a
 * send too large for one batch is halved until each part fits, as Kafka's producer splits
 * an oversized batch). A single record over the limit is a RecordTooLargeError. Both the
 * in-process producer (which appends the bytes) and the Kafka producer (which sends each piece
 * as one produce batch) split this way, so a send is cut at the same records on both.
 *
 * @example
 * const pieces = encodeWithin(records, { baseOffset: 0, defaultTimestamp: Date.now() }, 'orders', 1024)
 * pieces.map(({ from, to }) => to - from) // records per batch, e.g. [5, 5]
 */
export function encodeWithin(
  records: readonly ProducerRecord[],
  options: EncodeBatchOptions,
  topic: string,
  maxRecordBytes: number,
): EncodedPiece[] {
  const pieces: EncodedPiece[] = []
  const encode = (from: number, to: number): void => {
    const batch = encodeBatch(from === 0 && to === records.length ? records : records.slice(from, to), options)
    if (batch.length <= maxRecordBytes) pieces.push({ batch, from, to })
    else if (to - from === 1) throw new RecordTooLargeError(topic, batch.length, maxRecordBytes)
    else {
      const middle = (from + to) >>> 1
      encode(from, middle)
      encode(middle, to)
    }
  }
  encode(0, records.length)
  return pieces
}
