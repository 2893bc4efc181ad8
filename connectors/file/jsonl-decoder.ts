import { RecordRejectedError } from '../api/errors.js'
import type { SourceRecord } from '../api/types.js'
import { keyOf, PREVIEW_BYTES, type PendingBatch, type RecordDecoder, type ValueAs } from './decoder.js'
import { isJson } from './json-check.js'
import type { TailedFile } from './tailed-file.js'

const LF = 0x0a
const CR = 0x0d

/**
 * JSON lines: one JSON value per line (LF or CRLF); empty lines are skipped, a line that is not
 * JSON is rejected with its location. By default the value is the line's own bytes, checked to be
 * JSON without being parsed (parsing a million lines a second only to encode them again would be
 * most of the source's cost); a key field, or `valueAs: 'object'`, needs the line parsed.
 *
 * @example
 * const decoder = jsonlDecoder('/data/in.jsonl', { keyField: 'id', valueAs: 'bytes', maxLineBytes: 1 << 24 })
 */
export function jsonlDecoder(path: string, options: { readonly keyField: string | undefined; readonly valueAs: ValueAs; readonly maxLineBytes: number }): RecordDecoder {
  const { keyField, valueAs, maxLineBytes } = options
  const mustParse = keyField !== undefined || valueAs === 'object'
  const reject = (batch: PendingBatch, chunk: Buffer, start: number, end: number, line: number, reason: string): void => {
    const location = `${path}:${line}`
    const input = Buffer.from(chunk.subarray(start, Math.min(end, start + PREVIEW_BYTES)))
    batch.rejected.push({ input, error: new RecordRejectedError(`line ${location} ${reason}`), location })
  }
  return {
    decode(file: TailedFile, batch: PendingBatch, room: number): number {
      const chunk = file.chunk
      const linesBefore = file.linesConsumed
      let line = linesBefore
      let start = file.start
      let added = 0
      while (added < room && batch.bytes < batch.maxBytes) {
        const lineEnd = chunk.indexOf(LF, start)
        if (lineEnd < 0) break
        batch.bytes += lineEnd + 1 - start
        line++
        const end = lineEnd > start && chunk[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd
        if (end > start) {
          added++
          if (end - start > maxLineBytes) reject(batch, chunk, start, end, line, `is longer than maxLineBytes (${maxLineBytes}); its first ${PREVIEW_BYTES} bytes are kept here`)
          else if (!mustParse) {
            if (isJson(chunk, start, end)) batch.records.push({ key: null, value: chunk.subarray(start, end) })
            else reject(batch, chunk, start, end, line, 'is not JSON')
          } else {
            let parsed: unknown
            try {
              parsed = JSON.parse(chunk.toString('utf8', start, end))
            } catch (error) {
              reject(batch, chunk, start, end, line, `is not JSON: ${error instanceof Error ? error.message : String(error)}`)
              start = lineEnd + 1
              continue
            }
            const record: SourceRecord<string, unknown> = {
              key: keyField === undefined ? null : keyOf(parsed, keyField),
              value: valueAs === 'object' ? parsed : chunk.subarray(start, end),
            }
            batch.records.push(record)
          }
        }
        start = lineEnd + 1
      }
      file.consume(start, line - linesBefore)
      return added
    },
  }
}
