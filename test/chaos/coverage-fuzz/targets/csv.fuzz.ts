/**
 * Coverage-guided target: the file connector's CSV reading. On any bytes:
 * - `readCsvRecord` never throws, and each record or malformed row it reads ends past where it
 *   started and within the bytes (so the reading loop always ends);
 * - a record written back with `formatCsvRecord` (what the file sink writes) reads back to the
 *   same fields;
 * - the CSV decoder of the file source turns the bytes into records and rejected rows without
 *   an error, consuming the bytes it reports, each record an object of the columns.
 *
 * The first byte chooses the delimiter (bits 0-1), whether the first row is a header (bit 2),
 * whether the columns are given (bit 3) and a key field (bit 4); the rest is the file's text.
 *
 * @example
 * fuzz(Buffer.from('\x04id,name\n1,"a ""b"""\n'))
 */
import { csvDecoder } from '../../../../connectors/file/csv-decoder.js'
import { formatCsvRecord, readCsvRecord } from '../../../../connectors/file/csv-record.js'
import type { PendingBatch } from '../../../../connectors/file/decoder.js'
import type { TailedFile } from '../../../../connectors/file/tailed-file.js'
import { InvariantBroken } from './typed-errors.js'

const DELIMITERS = [',', ';', '\t', '|'] as const

/**
 * One input: a mode byte (delimiter, header, columns, key field), then the file's bytes.
 *
 * @example
 * fuzz(Buffer.from('\x05a;b\n1;2\n')) // delimiter ';', first row a header
 */
export function fuzz(data: Buffer): void {
  if (data.length === 0) return
  const mode = data[0]!
  const delimiter = DELIMITERS[mode & 3]!
  const text = data.subarray(1)
  readEveryRecord(text, delimiter)
  decodeAsTheSourceDoes(text, delimiter, (mode & 4) !== 0, (mode & 8) !== 0 ? ['id', 'name'] : undefined, (mode & 16) !== 0 ? 'id' : undefined)
}

function readEveryRecord(text: Buffer, delimiter: string): void {
  const code = delimiter.charCodeAt(0)
  let start = 0
  for (;;) {
    const read = readCsvRecord(text, start, text.length, code)
    if (read.kind === 'incomplete') return
    if (read.next <= start || read.next > text.length) throw new InvariantBroken(`readCsvRecord at ${start} of ${text.length} returned next ${read.next}`)
    if (read.lineBreaks < 1) throw new InvariantBroken(`readCsvRecord at ${start} read a ${read.kind} of ${read.lineBreaks} line breaks`)
    if (read.kind === 'record') {
      const written = Buffer.from(formatCsvRecord(read.fields, delimiter))
      const again = readCsvRecord(written, 0, written.length, code)
      if (again.kind !== 'record' || again.next !== written.length || JSON.stringify(again.fields) !== JSON.stringify(read.fields)) {
        throw new InvariantBroken(`fields ${JSON.stringify(read.fields)} written as ${JSON.stringify(written.toString())} read back as ${JSON.stringify(again)}`)
      }
    }
    start = read.next
  }
}

/** The part of a TailedFile a decoder uses, over bytes in memory. */
class BytesFile {
  start = 0
  linesConsumed = 0
  constructor(readonly chunk: Buffer) {}
  get atFirstRecord(): boolean {
    return this.start === 0
  }
  consume(next: number, lineBreaks: number): void {
    if (next <= this.start || next > this.chunk.length) throw new InvariantBroken(`the CSV decoder consumed up to ${next} from ${this.start} of ${this.chunk.length}`)
    this.start = next
    this.linesConsumed += lineBreaks
  }
}

function decodeAsTheSourceDoes(text: Buffer, delimiter: string, header: boolean, columns: readonly string[] | undefined, keyField: string | undefined): void {
  const decoder = csvDecoder('fuzz.csv', { columns, header, delimiter, keyField, valueAs: 'object', maxLineBytes: 256 })
  const file = new BytesFile(text)
  const batch: PendingBatch = { records: [], rejected: [], bytes: 0, maxBytes: Number.POSITIVE_INFINITY }
  for (;;) {
    const before = file.start
    decoder.decode(file as unknown as TailedFile, batch, 64)
    if (file.start === before) break
  }
  for (const record of batch.records) {
    const value = record.value
    if (typeof value !== 'object' || value === null) throw new InvariantBroken(`a CSV record's value is ${typeof value}`)
    if (columns !== undefined && Object.keys(value).join('\n') !== columns.join('\n')) throw new InvariantBroken(`a CSV record has keys ${JSON.stringify(Object.keys(value))}, not the columns`)
  }
}

/**
 * Files to start from: headers, quoting, CRLF, empty lines, broken quoting, ragged rows.
 *
 * @example
 * for (const seed of seeds()) fuzz(seed) // none throws
 */
export function seeds(): Buffer[] {
  const files: [number, string][] = [
    [4, 'id,name\n1,alice\n2,"bob, jr."\n'],
    [4 | 16, 'id,name\r\n1,"multi\nline"\r\n\r\n3,"say ""hi"""\r\n'],
    [8 | 16, '1;x\n2;"y";z\n'.replace(/;/g, ',')],
    [1 | 4, 'a;b\n"unterminated;1\n'],
    [2 | 4, 'a\tb\nx"y\tz\n"q"r\ts\n'],
    [3, '||\n|"|"|\n'],
    [4, '\n\nid,name\nshort\n'],
  ]
  return files.map(([mode, text]) => Buffer.concat([Buffer.from([mode]), Buffer.from(text)]))
}
