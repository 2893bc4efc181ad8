import type { ProducerRecord } from '../log/types.js'

/**
 * Estimated bytes per send. One send to a partition is one record batch, and a batch over the
 * topic's `maxRecordBytes` (default 1 MiB + 12) is refused whole, while a commit interval's
 * outputs can be far more; this leaves room under the default for the batch header and for
 * estimates that run short.
 */
export const MAX_CHUNK_BYTES = 1024 * 1024 - 64 * 1024
/** A record's framing in a batch at most: length, attributes, deltas, key and value lengths, header count. */
const RECORD_FRAMING_BYTES = 40
/** A header's framing at most: key and value lengths. */
const HEADER_FRAMING_BYTES = 10

/**
 * Splits outputs, in order, into sends whose records take at most `MAX_CHUNK_BYTES` (a record
 * larger than that goes alone, and the topic's limit decides). Under exactly_once the chunks
 * are sends of one transaction, so they still commit together.
 *
 * @example
 * for (const chunk of outputChunks(task.takeOutputs())) await producer.send(chunk)
 */
export function outputChunks(records: readonly ProducerRecord[]): (readonly ProducerRecord[])[] {
  const chunks: (readonly ProducerRecord[])[] = []
  let start = 0
  let bytes = 0
  for (let i = 0; i < records.length; i++) {
    const size = estimatedBytes(records[i]!)
    if (i > start && bytes + size > MAX_CHUNK_BYTES) {
      chunks.push(records.slice(start, i))
      start = i
      bytes = 0
    }
    bytes += size
  }
  if (start < records.length) chunks.push(start === 0 ? records : records.slice(start))
  return chunks
}

function estimatedBytes(record: ProducerRecord): number {
  let bytes = RECORD_FRAMING_BYTES + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  const headers = record.headers
  if (headers !== undefined) {
    for (let i = 0; i < headers.length; i++) bytes += HEADER_FRAMING_BYTES + Buffer.byteLength(headers[i]!.key) + headers[i]!.value.length
  }
  return bytes
}
