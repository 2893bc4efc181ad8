import type { TableColumn } from './table-columns.js'

/**
 * PostgreSQL's COPY text format, one row a line: fields separated by tabs, `\N` for NULL, and
 * backslash, tab, newline and carriage return escaped with a backslash.
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/

function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text
  return text.replace(/[\\\t\n\r]/g, (char) => (char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r'))
}

/** An array element as an array literal's element: quoted, with `"` and `\` escaped; NULL unquoted. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (Array.isArray(value)) return arrayLiteral(value)
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return `"${text.replace(/["\\]/g, (char) => `\\${char}`)}"`
}

function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`
}

/**
 * One field of a JSON value as PostgreSQL input text for a column: strings as they are, numbers
 * and booleans as written, objects as JSON (for json/jsonb columns), arrays as array literals for
 * array columns (else as JSON). Undefined and null are NULL (`undefined` returned).
 *
 * @example
 * columnText({ price: 9.5 }.price, column) // '9.5'
 */
export function columnText(value: unknown, column: TableColumn): string | undefined {
  if (value === null || value === undefined) return undefined
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
      return value ? 't' : 'f'
    default:
      return Array.isArray(value) && column.isArray ? arrayLiteral(value) : JSON.stringify(value)
  }
}

/**
 * A row as a line of COPY text.
 *
 * @example
 * copyLine([1, 'a\tb', null], columns) // '1\ta\\tb\t\\N\n'
 */
export function copyLine(values: readonly unknown[], columns: readonly TableColumn[]): string {
  let line = ''
  for (let index = 0; index < columns.length; index++) {
    if (index > 0) line += '\t'
    const text = columnText(values[index], columns[index]!)
    line += text === undefined ? '\\N' : escapeText(text)
  }
  return `${line}\n`
}
