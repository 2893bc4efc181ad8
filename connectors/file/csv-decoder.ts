import { RecordRejectedError } from '../api/errors.js'
import { keyOf, PREVIEW_BYTES, type PendingBatch, type RecordDecoder, type ValueAs } from './decoder.js'
import { readCsvRecord } from './csv-record.js'
import type { TailedFile } from './tailed-file.js'

/** Bytes read from a file's start to find its header when reading resumes past it. */
const HEADER_READ_BYTES = 1 << 20

export interface CsvOptions {
  /** Column names; without them the header row gives them. */
  readonly columns: readonly string[] | undefined
  /** True when the file's first row is a header (skipped when `columns` are given). */
  readonly header: boolean
  /** One character. */
  readonly delimiter: string
  readonly keyField: string | undefined
  readonly valueAs: ValueAs
  /** A longer record is rejected. */
  readonly maxLineBytes: number
}

/**
 * CSV (RFC 4180): each row becomes an object of column name → text. A row with another number
 * of fields than there are columns, or with broken quoting, is rejected with its location.
 *
 * @example
 * const decoder = csvDecoder('/data/in.csv', { columns: undefined, header: true, delimiter: ',', keyField: 'id', valueAs: 'bytes', maxLineBytes: 1 << 24 })
 */
export function csvDecoder(path: string, options: CsvOptions): RecordDecoder {
  const delimiter = options.delimiter.charCodeAt(0)
  let columns = options.columns
  const reject = (batch: PendingBatch, input: Buffer, line: number, reason: string): void => {
    const location = `${path}:${line}`
    batch.rejected.push({ input, error: new RecordRejectedError(`CSV row at ${location}: ${reason}`), location })
  }
  return {
    async prepare(file: TailedFile): Promise<void> {
      if (columns !== undefined || !options.header || file.atFirstRecord) return
      let head = await file.head(HEADER_READ_BYTES)
      if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3)
      const read = readCsvRecord(head, 0, head.length, delimiter)
      if (read.kind === 'record') columns = read.fields
    },

    decode(file: TailedFile, batch: PendingBatch, room: number): number {
      const chunk = file.chunk
      let added = 0
      while (added < room && batch.bytes < batch.maxBytes) {
        const start = file.start
        const read = readCsvRecord(chunk, start, chunk.length, delimiter)
        if (read.kind === 'incomplete') break
        batch.bytes += read.next - start
        const line = file.linesConsumed + 1
        const isHeader = options.header && file.atFirstRecord
        file.consume(read.next, read.lineBreaks)
        if (read.next - start > options.maxLineBytes) {
          reject(batch, Buffer.from(chunk.subarray(start, start + PREVIEW_BYTES)), line, `longer than maxLineBytes (${options.maxLineBytes}); its first ${PREVIEW_BYTES} bytes are kept here`)
          added++
          continue
        }
        if (read.kind === 'malformed') {
          reject(batch, Buffer.from(chunk.subarray(start, read.next)), line, read.reason)
          added++
          continue
        }
        if (isHeader) {
          if (options.columns === undefined) columns = read.fields
          continue
        }
        if (read.fields.length === 1 && read.fields[0] === '' && read.next - start <= 2) continue // an empty line
        added++
        if (columns === undefined) {
          reject(batch, Buffer.from(chunk.subarray(start, read.next)), line, 'no header row was read, so the columns are unknown')
          continue
        }
        if (read.fields.length !== columns.length) {
          reject(batch, Buffer.from(chunk.subarray(start, read.next)), line, `expected ${columns.length} fields (${columns.join(', ')}), got ${read.fields.length}`)
          continue
        }
        const row: Record<string, string> = {}
        for (let index = 0; index < columns.length; index++) row[columns[index]!] = read.fields[index]!
        batch.records.push({
          key: options.keyField === undefined ? null : keyOf(row, options.keyField),
          value: options.valueAs === 'object' ? row : Buffer.from(JSON.stringify(row)),
        })
      }
      return added
    },
  }
}
