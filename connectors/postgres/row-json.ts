/**
 * How a row read by the source becomes a JSON value. The client returns int8, numeric, dates,
 * times and intervals as PostgreSQL's text (see connection.ts); this makes them JSON:
 * - int8 (bigint): a number when it is a safe integer (|n| < 2^53), else a string of its digits;
 * - numeric: a string of its digits, exact (`"12.50"`);
 * - timestamptz: ISO 8601 in UTC with PostgreSQL's microseconds, `"2024-05-01T10:00:00.123456Z"`;
 * - timestamp (without time zone): the same without the zone, `"2024-05-01T10:00:00.123456"`;
 * - date `"2024-05-01"`, time `"10:00:00"`, interval ISO 8601 (`"P1DT2H"`), `infinity` as is;
 * - bytea: base64; json/jsonb: the JSON itself; arrays: JSON arrays; other types: as the client gives them.
 */

const INT8 = 20
const NUMERIC = 1700
const TIMESTAMP = 1114
const TIMESTAMPTZ = 1184

/** A field of a query result: its name and type oid. */
export interface ResultField {
  readonly name: string
  readonly dataTypeID: number
}

/**
 * A timestamp in PostgreSQL's ISO text (`2024-05-01 10:00:00.5+00`, UTC session) as ISO 8601.
 *
 * @example
 * isoTimestamp('2024-05-01 10:00:00.123456+00') // '2024-05-01T10:00:00.123456Z'
 */
export function isoTimestamp(text: string): string {
  if (!/^\d{4}-\d\d-\d\d \d/.test(text)) return text // infinity, -infinity, BC dates
  return text.replace(' ', 'T').replace(/\+00(?::00)?$/, 'Z')
}

function fieldValue(value: unknown, type: number): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') {
    if (type === INT8) {
      const number = Number(value)
      return Number.isSafeInteger(number) ? number : value
    }
    if (type === TIMESTAMP || type === TIMESTAMPTZ) return isoTimestamp(value)
    return value
  }
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (value instanceof Date) return value.toISOString()
  return value
}

/**
 * A result row as the JSON object a record carries.
 *
 * @example
 * rowToJson({ id: '7', at: '2024-05-01 10:00:00+00' }, fields) // { id: 7, at: '2024-05-01T10:00:00Z' }
 */
export function rowToJson(row: Readonly<Record<string, unknown>>, fields: readonly ResultField[]): Record<string, unknown> {
  const json: Record<string, unknown> = {}
  for (const field of fields) json[field.name] = field.dataTypeID === NUMERIC ? (row[field.name] ?? null) : fieldValue(row[field.name], field.dataTypeID)
  return json
}
