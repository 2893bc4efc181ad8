/**
 * Checks that bytes hold exactly one JSON value (RFC 8259 grammar, surrounding whitespace
 * allowed) without building it. The file and stdin sources use it to pass a JSON line on as
 * its own bytes: parsing each line only to encode it again would cost more than everything
 * else the source does. Not checked: that strings are valid UTF-8 (a JSON serde decodes
 * invalid sequences to U+FFFD, as `JSON.parse(buffer.toString())` would).
 */

const SPACE = 0x20
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39

/** Nesting deeper than this is checked by `JSON.parse` instead (rare; keeps the stack small). */
const MAX_DEPTH = 256
const IN_ARRAY = 0
const IN_OBJECT = 1
const stack = new Uint8Array(MAX_DEPTH)

/** Characters allowed after a backslash in a string, besides `u`. */
const ESCAPES = new Uint8Array(256)
for (const char of '"\\/bfnrt') ESCAPES[char.charCodeAt(0)] = 1
/** Bytes that end a run of plain string characters: the quote, the backslash, control characters. */
const STRING_STOP = new Uint8Array(256)
for (let byte = 0; byte < SPACE; byte++) STRING_STOP[byte] = 1
STRING_STOP[QUOTE] = 1
STRING_STOP[BACKSLASH] = 1

const isDigit = (byte: number): boolean => byte >= ZERO && byte <= NINE
const isHex = (byte: number): boolean => isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)

/**
 * True when `bytes[start, end)` is one JSON value.
 *
 * @example
 * isJson(Buffer.from('{"a":[1,2.5e3,null]}'), 0, 20) // true
 * isJson(Buffer.from('{"a":}'), 0, 6) // false
 */
export function isJson(bytes: Uint8Array, start: number, end: number): boolean {
  let depth = 0
  let at = skipSpace(bytes, start, end)
  for (;;) {
    // Expecting a value at `at`.
    const byte = bytes[at] ?? -1
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      at = skipSpace(bytes, at + 1, end)
      const close = byte === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET
      if (bytes[at] === close) at++
      else {
        if (depth === MAX_DEPTH) return parses(bytes, start, end)
        stack[depth++] = byte === OPEN_BRACE ? IN_OBJECT : IN_ARRAY
        if (byte === OPEN_BRACE) {
          at = objectKey(bytes, at, end)
          if (at < 0) return false
        }
        continue
      }
    } else if (byte === QUOTE) {
      at = stringEnd(bytes, at, end)
    } else if (byte === MINUS || isDigit(byte)) {
      at = numberEnd(bytes, at, end)
    } else if (byte === 0x74) {
      at = literalEnd(bytes, at, end, 'true')
    } else if (byte === 0x66) {
      at = literalEnd(bytes, at, end, 'false')
    } else if (byte === 0x6e) {
      at = literalEnd(bytes, at, end, 'null')
    } else return false
    if (at < 0) return false
    // After a value: close containers, or move to the next element.
    for (;;) {
      at = skipSpace(bytes, at, end)
      if (depth === 0) return at === end
      const next = bytes[at] ?? -1
      const inObject = stack[depth - 1] === IN_OBJECT
      if (next === COMMA) {
        at = skipSpace(bytes, at + 1, end)
        if (inObject) {
          at = objectKey(bytes, at, end)
          if (at < 0) return false
        }
        break
      }
      if (next !== (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) return false
      depth--
      at++
    }
  }
}

function parses(bytes: Uint8Array, start: number, end: number): boolean {
  try {
    JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'))
    return true
  } catch {
    return false
  }
}

function skipSpace(bytes: Uint8Array, at: number, end: number): number {
  if (at >= 0 && at < end && bytes[at]! > SPACE) return at // the common case: no whitespace
  while (at < end) {
    const byte = bytes[at]
    if (byte !== SPACE && byte !== TAB && byte !== LF && byte !== CR) break
    at++
  }
  return at
}

/** Reads `"key" :` at `at`; returns where the value starts, or -1. */
function objectKey(bytes: Uint8Array, at: number, end: number): number {
  if (bytes[at] !== QUOTE) return -1
  at = skipSpace(bytes, stringEnd(bytes, at, end), end)
  if (at < 0 || bytes[at] !== COLON) return -1
  return skipSpace(bytes, at + 1, end)
}

/** The index after the string that opens at `at`, or -1. */
function stringEnd(bytes: Uint8Array, at: number, end: number): number {
  at++
  while (at < end) {
    const byte = bytes[at]!
    if (STRING_STOP[byte] === 0) {
      at++
      continue
    }
    if (byte === QUOTE) return at + 1
    if (byte < SPACE) return -1
    if (byte === BACKSLASH) {
      const escaped = bytes[at + 1] ?? -1
      if (escaped === 0x75) {
        for (let hex = at + 2; hex < at + 6; hex++) if (hex >= end || !isHex(bytes[hex] ?? -1)) return -1
        at += 6
        continue
      }
      if (at + 1 >= end || ESCAPES[escaped] !== 1) return -1
      at += 2
      continue
    }
  }
  return -1
}

/** The index after the number that starts at `at`, or -1. */
function numberEnd(bytes: Uint8Array, at: number, end: number): number {
  if (bytes[at] === MINUS) at++
  const first = at < end ? (bytes[at] ?? -1) : -1
  if (!isDigit(first)) return -1
  at++
  if (first !== ZERO) while (at < end && isDigit(bytes[at] ?? -1)) at++
  if (at < end && bytes[at] === DOT) {
    at++
    const digitsStart = at
    while (at < end && isDigit(bytes[at] ?? -1)) at++
    if (at === digitsStart) return -1
  }
  if (at < end && (bytes[at] === 0x65 || bytes[at] === 0x45)) {
    at++
    if (at < end && (bytes[at] === PLUS || bytes[at] === MINUS)) at++
    const digitsStart = at
    while (at < end && isDigit(bytes[at] ?? -1)) at++
    if (at === digitsStart) return -1
  }
  return at
}

function literalEnd(bytes: Uint8Array, at: number, end: number, literal: string): number {
  if (at + literal.length > end) return -1
  for (let index = 1; index < literal.length; index++) if (bytes[at + index] !== literal.charCodeAt(index)) return -1
  return at + literal.length
}
