/**
 * Reads one CSV record (RFC 4180) from bytes: fields separated by a delimiter, a field in
 * double quotes may hold delimiters, line breaks and `""` for a quote. The record ends at a
 * line break outside quotes (LF or CRLF). Quoted text must be followed by a delimiter or the
 * end of the record; anything else makes the record malformed.
 */

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

/** A record read whole: its fields, where the next record starts, and how many line breaks it spans. */
export interface CsvRecord {
  readonly kind: 'record'
  readonly fields: string[]
  readonly next: number
  readonly lineBreaks: number
}

/** A record whose quoting is wrong: skipped to the next line break. */
export interface CsvMalformed {
  readonly kind: 'malformed'
  readonly reason: string
  readonly next: number
  readonly lineBreaks: number
}

/** The bytes end before the record does: more input is needed. */
export interface CsvIncomplete {
  readonly kind: 'incomplete'
}

export type CsvRead = CsvRecord | CsvMalformed | CsvIncomplete

const INCOMPLETE: CsvIncomplete = { kind: 'incomplete' }

/**
 * Reads the record at `start` in `bytes[start, end)`.
 *
 * @example
 * readCsvRecord(Buffer.from('a,"b,""c"""\n'), 0, 12, 0x2c) // { kind: 'record', fields: ['a', 'b,"c"'], next: 12, lineBreaks: 1 }
 */
export function readCsvRecord(bytes: Buffer, start: number, end: number, delimiter: number): CsvRead {
  const fields: string[] = []
  let at = start
  let lineBreaks = 0
  for (;;) {
    if (bytes[at] === QUOTE) {
      // Quoted field: find the closing quote, counting `""` as a quote inside.
      let text = ''
      let from = at + 1
      for (;;) {
        const quote = bytes.indexOf(QUOTE, from)
        if (quote < 0 || quote >= end) return INCOMPLETE
        text += bytes.toString('utf8', from, quote)
        if (quote + 1 >= end) return INCOMPLETE
        if (bytes[quote + 1] === QUOTE) {
          text += '"'
          from = quote + 2
          continue
        }
        lineBreaks += countLineBreaks(bytes, at, quote)
        at = quote + 1
        break
      }
      fields.push(text)
      const after = bytes[at]
      if (after === delimiter) {
        at++
        continue
      }
      if (after === LF || (after === CR && bytes[at + 1] === LF)) return { kind: 'record', fields, next: at + (after === CR ? 2 : 1), lineBreaks: lineBreaks + 1 }
      if (after === CR && at + 1 >= end) return INCOMPLETE
      return skipMalformed(bytes, at, end, `text after the closing quote of field ${fields.length}`, lineBreaks)
    }
    // Plain field: up to the delimiter or the line break.
    let stop = at
    while (stop < end) {
      const byte = bytes[stop]
      if (byte === delimiter || byte === LF) break
      stop++
    }
    if (stop >= end) return INCOMPLETE
    const isLineEnd = bytes[stop] === LF
    const textEnd = isLineEnd && stop > at && bytes[stop - 1] === CR ? stop - 1 : stop
    const text = bytes.toString('utf8', at, textEnd)
    if (text.includes('"')) return skipMalformed(bytes, at, end, `a quote inside unquoted field ${fields.length + 1}`, lineBreaks)
    fields.push(text)
    if (isLineEnd) return { kind: 'record', fields, next: stop + 1, lineBreaks: lineBreaks + 1 }
    at = stop + 1
  }
}

function skipMalformed(bytes: Buffer, at: number, end: number, reason: string, lineBreaks: number): CsvRead {
  const lineEnd = bytes.indexOf(LF, at)
  if (lineEnd < 0 || lineEnd >= end) return INCOMPLETE
  return { kind: 'malformed', reason, next: lineEnd + 1, lineBreaks: lineBreaks + 1 }
}

function countLineBreaks(bytes: Buffer, from: number, to: number): number {
  let count = 0
  for (let at = from; at < to; at++) if (bytes[at] === LF) count++
  return count
}

/**
 * One CSV record as text (RFC 4180): a field is quoted when it holds the delimiter, a quote or a
 * line break; the record ends with `\n`.
 *
 * @example
 * formatCsvRecord(['a', 'b,"c"'], ',') // 'a,"b,""c"""\n'
 */
export function formatCsvRecord(fields: readonly string[], delimiter: string): string {
  let line = ''
  for (let index = 0; index < fields.length; index++) {
    const text = fields[index] ?? ''
    if (index > 0) line += delimiter
    line += text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') ? `"${text.replaceAll('"', '""')}"` : text
  }
  return `${line}\n`
}
