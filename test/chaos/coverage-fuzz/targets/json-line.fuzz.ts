/**
 * Coverage-guided differential target: the file connector's JSON-line check (`isJson`) must agree
 * with `JSON.parse` on whether bytes are one JSON value, and must look only at the range it is
 * given. A disagreement is a finding: a line passed on that a JSON serde cannot read, or a good
 * line sent to the dead-letter topic.
 *
 * The first byte chooses the byte placed right after the range (the next line's first byte in a
 * file, or anything), the rest is the line. `isJson` never throws.
 *
 * @example
 * fuzz(Buffer.from('\n{"a":[1,2.5e3,null]}'))
 */
import { isJson } from '../../../../connectors/file/json-check.js'
import { InvariantBroken } from './typed-errors.js'

/** Bytes that would change the answer if `isJson` read past its range. */
const AFTER = Buffer.from('\n]}"1e. ,:\\u0')

/**
 * One input: the byte after the range (chosen by the first byte), then the line.
 *
 * @example
 * fuzz(Buffer.from('\x01[1,2]')) // the line is followed by ']'
 */
export function fuzz(data: Buffer): void {
  if (data.length === 0) return
  const line = data.subarray(1)
  const framed = Buffer.concat([Buffer.from('["'), line, Buffer.from([AFTER[data[0]! % AFTER.length]!])])
  const checked = isJson(framed, 2, 2 + line.length)
  let parsed = true
  try {
    JSON.parse(line.toString('utf8'))
  } catch {
    parsed = false
  }
  if (checked !== parsed) throw new InvariantBroken(`isJson says ${checked}, JSON.parse says ${parsed}, for ${JSON.stringify(line.toString('latin1'))}`)
}

/**
 * Lines to start from: every kind of JSON value, nesting, escapes, numbers at their edges.
 *
 * @example
 * for (const seed of seeds()) fuzz(seed) // none throws
 */
export function seeds(): Buffer[] {
  const lines = [
    '{"a":[1,2.5e3,null,true,false],"b":{"c":"d"}}',
    ' [ -0.0e+1 , 1E-2 , 0 ] ',
    '"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"',
    '{"deep":[[[[[[[[{"x":[]}]]]]]]]]}',
    '{"k":1,}',
    '[01]',
    '"\t"',
    'nul',
    '{"a" 1}',
    '-',
    '1.',
    `${'['.repeat(300)}${']'.repeat(300)}`,
    '{"é":"ü"}',
  ]
  return lines.map((line, index) => Buffer.concat([Buffer.from([index]), Buffer.from(line)]))
}

/**
 * JSON's literals, escapes and number parts, for libFuzzer's dictionary.
 *
 * @example
 * dictionary().includes('\\u') // true
 */
export function dictionary(): string[] {
  return ['true', 'false', 'null', '\\u', '\\"', '"":', 'e+', 'E-', '-0.', '[]', '{}', ',"', '\r\n', '\t']
}
