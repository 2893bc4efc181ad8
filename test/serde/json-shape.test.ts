import { describe, expect, expectTypeOf, it } from 'vitest'
import { ConfigError } from '../../core/errors.js'
import { serdes, type Serde } from '../../core/serde/index.js'
import { serdeErrorOf, valueOf } from './helpers.js'

const context = valueOf('items')

const ITEM = { id: 'string', total: 'number', paid: 'boolean', tags: ['string'], lines: [{ sku: 'string', qty: 'number' }], ship: { city: 'string', zip: 'string' } } as const
const items = serdes.json({ shape: ITEM, name: 'Item' })
type Item = typeof items extends Serde<infer T> ? T : never

/** A deterministic generator (mulberry32), so every run checks the same values. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Strings with what JSON must escape or carry: quotes, backslashes, controls, non-ASCII, lone surrogates. */
function randomString(random: () => number): string {
  const pieces = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', 'é', '€', '😀', '\ud800', '\udfff', 'plain ascii text']
  let text = ''
  const length = Math.floor(random() * 8)
  for (let index = 0; index < length; index++) text += pieces[Math.floor(random() * pieces.length)]
  return text
}

function randomNumber(random: () => number): number {
  const numbers = [0, -0, 1, -1, 0.5, 1e21, 1e-7, -1.25e-300, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, Number.MIN_VALUE, Number.MAX_VALUE, 1436918400000]
  return random() < 0.5 ? numbers[Math.floor(random() * numbers.length)]! : (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20)
}

function randomItem(random: () => number): Item {
  const count = (max: number) => Math.floor(random() * max)
  return {
    id: randomString(random),
    total: randomNumber(random),
    paid: random() < 0.5,
    tags: Array.from({ length: count(4) }, () => randomString(random)),
    lines: Array.from({ length: count(3) }, () => ({ sku: randomString(random), qty: randomNumber(random) })),
    ship: { city: randomString(random), zip: randomString(random) },
  }
}

describe('serdes.json with a shape', () => {
  it('is typed by its shape', () => {
    expectTypeOf(serdes.json({ shape: { id: 'number', tags: ['string'], at: { x: 'number' } } })).toEqualTypeOf<
      Serde<{ readonly id: number; readonly tags: readonly string[]; readonly at: { readonly x: number } }>
    >()
  })

  it('writes the same bytes as JSON.stringify and reads back the same value, for 2,000 generated values', () => {
    const random = randomSource(20261127)
    for (let round = 0; round < 2000; round++) {
      const item = randomItem(random)
      const bytes = items.serialize(item, context)
      expect(bytes.toString('utf8')).toBe(JSON.stringify(item))
      expect(items.deserialize(bytes, context)).toEqual(JSON.parse(JSON.stringify(item)))
    }
  })

  it('writes only the fields of its shape, in its order', () => {
    const serde = serdes.json({ shape: { b: 'number', a: 'string' } })
    const value = { a: 'x', extra: true, b: 1 }
    expect(serde.serialize(value, context).toString()).toBe('{"b":1,"a":"x"}')
  })

  it('reads JSON in any form: other field order, whitespace, escapes, extra fields (kept)', () => {
    const serde = serdes.json({ shape: { a: 'string', b: ['number'] } })
    const text = ' { "extra" : null , "b" : [ 1 , 2e3 ] , "a" : "\\u00e9\\"x" } '
    expect(serde.deserialize(Buffer.from(text), context)).toEqual({ extra: null, b: [1, 2000], a: 'é"x' })
  })

  it('takes field names that need escaping, as data and never as code', () => {
    const name = '"]); throw new Error("injected"); (["'
    const serde = serdes.json({ shape: { [name]: 'number', 'é\n': 'string' } })
    const value = { [name]: 1, 'é\n': 'v' }
    const bytes = serde.serialize(value, context)
    expect(bytes.toString()).toBe(JSON.stringify(value))
    expect(serde.deserialize(bytes, context)).toEqual(value)
  })

  it('rejects a value read off its shape with a SerdeError naming the field', () => {
    const cases: [string, string][] = [
      ['{"id":"a","total":"5","paid":true,"tags":[],"lines":[],"ship":{"city":"","zip":""}}', 'value.total is a string, not a number'],
      ['{"id":"a","total":5,"paid":true,"tags":["x",7],"lines":[],"ship":{"city":"","zip":""}}', 'value.tags[1] is a number, not a string'],
      ['{"id":"a","total":5,"paid":true,"tags":[],"lines":[{"sku":"s"}],"ship":{"city":"","zip":""}}', 'value.lines[0].qty is missing'],
      ['{"id":"a","total":5,"paid":true,"tags":[],"lines":[],"ship":null}', 'value.ship is null, not an object'],
      ['[1]', 'value is an array, not an object'],
    ]
    for (const [text, reason] of cases) {
      const error = serdeErrorOf(() => items.deserialize(Buffer.from(text), context))
      expect(error.operation).toBe('deserialize')
      expect(error.serde).toBe('json(Item)')
      expect(error.reason).toBe(`${reason}; the value: ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`)
    }
  })

  it('rejects bytes that are not JSON, or not UTF-8', () => {
    expect(serdeErrorOf(() => items.deserialize(Buffer.from('{"id":'), context)).operation).toBe('deserialize')
    expect(serdeErrorOf(() => items.deserialize(Buffer.from([0x7b, 0xff, 0x7d]), context)).operation).toBe('deserialize')
  })

  it('rejects a value written off its shape with a SerdeError naming the field', () => {
    const good: Item = { id: 'a', total: 1, paid: false, tags: [], lines: [{ sku: 's', qty: 1 }], ship: { city: 'c', zip: 'z' } }
    const cases: [unknown, string][] = [
      [{ ...good, total: Number.NaN }, 'value.total is NaN, not a finite number'],
      [{ ...good, total: Infinity }, 'value.total is Infinity, not a finite number'],
      [{ ...good, id: undefined }, 'value.id is undefined, not a string'],
      [{ ...good, paid: 'yes' }, 'value.paid is a string, not a boolean'],
      [{ ...good, lines: [{ sku: 's', qty: 1 }, { sku: 7, qty: 1 }] }, 'value.lines[1].sku is a number, not a string'],
      [{ ...good, ship: [] }, 'value.ship is an array, not an object'],
      [null, 'value is null, not an object'],
    ]
    for (const [value, reason] of cases) {
      const error = serdeErrorOf(() => items.serialize(value as Item, context))
      expect(error.operation).toBe('serialize')
      expect(error.reason).toBe(reason)
    }
  })

  it('refuses a shape it cannot compile with a ConfigError naming the field', () => {
    const bad = (shape: unknown) => () => serdes.json({ shape: shape as never })
    expect(bad({ a: { b: 'date' } })).toThrow(ConfigError)
    expect(bad({ a: { b: 'date' } })).toThrow(/^shape\.a\.b: /)
    expect(bad({ a: ['number', 'string'] })).toThrow(/^shape\.a: an array kind lists the kind of its elements once/)
    expect(bad(JSON.parse('{"__proto__":"number"}'))).toThrow(/^shape\.__proto__: /)
    expect(bad(['number'])).toThrow(/^shape: /)
  })

  it('is named after its name option, json(shape) without one', () => {
    expect(items.name).toBe('json(Item)')
    expect(serdes.json({ shape: {} }).name).toBe('json(shape)')
  })

  it('reads and writes an empty shape and empty arrays', () => {
    const serde = serdes.json({ shape: { list: ['number'], nested: {} } })
    const bytes = serde.serialize({ list: [], nested: {} }, context)
    expect(bytes.toString()).toBe('{"list":[],"nested":{}}')
    expect(serde.deserialize(bytes, context)).toEqual({ list: [], nested: {} })
  })
})
