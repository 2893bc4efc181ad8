import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isJson } from '../../../connectors/file/json-check.js'

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const check = (text: string): boolean => {
  const bytes = Buffer.from(`#${text}#`)
  return isJson(bytes, 1, bytes.length - 1)
}

/** Strings made of JSON's own characters, so that near-misses are common. */
const jsonish = fc.array(fc.constantFrom(...'{}[]:,"\\ -+.0123456789eEtrufalsn\nu0aF'.split('')), { maxLength: 24 }).map((chars) => chars.join(''))

describe('isJson', () => {
  test.each(['{}', '[]', ' {"a":[1,-2.5e+3,true,false,null,"x\\u00e9\\n"]} ', '"s"', '0', '-0.0E1', '[[[]]]', '{"a":{"b":{}}}'])('accepts %s', (text) => {
    expect(check(text)).toBe(true)
  })

  test.each(['', ' ', '{', '{"a"}', '{"a":}', '[1,]', '01', '1.', '.5', '"\\x"', '"a\tb"', 'tru', '{} {}', '{a:1}', "'a'", 'nul', '-', '1e', '"\\u12"'])('rejects %j', (text) => {
    expect(check(text)).toBe(false)
  })

  test('agrees with JSON.parse on any JSON value', () => {
    fc.assert(fc.property(fc.json(), (text) => check(text) === true))
  })

  test('agrees with JSON.parse on near-JSON text', () => {
    fc.assert(fc.property(jsonish, (text) => check(text) === parses(text)), { numRuns: 20_000 })
  })

  test('checks values nested deeper than its own stack through JSON.parse', () => {
    expect(check(`${'['.repeat(1000)}${']'.repeat(1000)}`)).toBe(true)
    expect(check(`${'['.repeat(1000)}${']'.repeat(999)}`)).toBe(false)
  })
})
