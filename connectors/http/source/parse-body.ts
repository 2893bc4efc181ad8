import type { SourceRecord } from '../../api/types.js'

/** How a body becomes records, from the source's config. */
export interface BodyFormat {
  readonly format: 'json' | 'ndjson' | 'text'
  readonly keyField: string | undefined
}

/** The records of a body, or the reason it holds none (a 400 for the client). */
export type ParsedBody = { readonly ok: true; readonly records: SourceRecord<string, unknown>[] } | { readonly ok: false; readonly problem: string }

/**
 * Turns a webhook body into records: `json` gives one record per body, or one per element when
 * the body is an array; `ndjson` one per non-blank line; `text` the body as one string. The key
 * is the `keyField` of a JSON object when it has one, else `headerKey` (from `keyHeader`), else
 * null.
 *
 * @example
 * parseBody(Buffer.from('[{"id":"a"},{"id":"b"}]'), { format: 'json', keyField: 'id' }, null, Date.now())
 * // { ok: true, records: [{ key: 'a', value: { id: 'a' }, … }, { key: 'b', … }] }
 */
export function parseBody(body: Buffer, format: BodyFormat, headerKey: string | null, timestamp: number): ParsedBody {
  const text = body.toString('utf8')
  const record = (value: unknown): SourceRecord<string, unknown> => ({ key: keyOf(value, format.keyField) ?? headerKey, value, timestamp })
  if (format.format === 'text') return { ok: true, records: [{ key: headerKey, value: text, timestamp }] }
  if (format.format === 'json') {
    if (text.trim() === '') return { ok: false, problem: 'the body is empty; it should be a JSON value or an array of them' }
    const parsed = parseJson(text)
    if (!parsed.ok) return { ok: false, problem: `the body is not JSON: ${parsed.problem}` }
    return { ok: true, records: Array.isArray(parsed.value) ? parsed.value.map(record) : [record(parsed.value)] }
  }
  const records: SourceRecord<string, unknown>[] = []
  const lines = text.split('\n')
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue
    const parsed = parseJson(line)
    if (!parsed.ok) return { ok: false, problem: `line ${index + 1} of the body is not JSON: ${parsed.problem}` }
    records.push(record(parsed.value))
  }
  return { ok: true, records }
}

function keyOf(value: unknown, keyField: string | undefined): string | undefined {
  if (keyField === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const key = (value as Record<string, unknown>)[keyField]
  return typeof key === 'string' ? key : typeof key === 'number' || typeof key === 'boolean' ? String(key) : undefined
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, problem: (error as Error).message }
  }
}
