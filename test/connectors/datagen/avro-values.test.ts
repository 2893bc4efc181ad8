import avro from 'avsc'
import { describe, expect, test } from 'vitest'
import { AvroValues, jsonForm } from '../../../connectors/datagen/index.js'
import { ConfigError } from '../../../core/errors.js'
import { everyKind, order } from './schemas.js'

describe('random values of an Avro schema', () => {
  test('every value of a schema with every kind of type validates against the schema', () => {
    const values = new AvroValues(everyKind, 1)
    const type = avro.Type.forSchema(everyKind as never)
    for (let i = 0; i < 5000; i++) {
      const value = values.at(i)
      const errors: string[] = []
      if (!type.isValid(value, { errorHook: (path) => void errors.push(path.join('.')) })) throw new Error(`value ${i} is invalid at ${errors.join(', ')}`)
    }
  })

  test('values round-trip through Avro binary unchanged', () => {
    const values = new AvroValues(everyKind, 2)
    const type = avro.Type.forSchema(everyKind as never)
    for (let i = 0; i < 500; i++) {
      const value = values.at(i)
      expect(jsonForm(type.fromBuffer(type.toBuffer(value)))).toEqual(jsonForm(value)) // avsc decodes records as class instances
    }
  })

  test('value n is the same for the same seed, whatever was made before it', () => {
    const first = new AvroValues(everyKind, 9)
    const second = new AvroValues(everyKind, 9)
    const forward = [0, 1, 2, 3, 4].map((i) => first.at(i))
    const backward = [4, 3, 2, 1, 0].map((i) => second.at(i)).reverse()
    expect(backward).toEqual(forward)
  })

  test('other seeds give other values', () => {
    expect(new AvroValues(order, 1).at(0)).not.toEqual(new AvroValues(order, 2).at(0))
  })

  test('the values spread over every branch, symbol and logical range', () => {
    const values = new AvroValues(everyKind, 3)
    const seen = { nullName: 0, textName: 0, colors: new Set<unknown>(), wrapped: new Set<string>() }
    for (let i = 0; i < 300; i++) {
      const value = values.at(i) as Record<string, unknown>
      if (value['maybeName'] === null) seen.nullName++
      else seen.textName++
      seen.colors.add(value['color'])
      for (const key of Object.keys(value['numberOrText'] as object)) seen.wrapped.add(key)
      expect(value['uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(value['createdAt']).toBeGreaterThanOrEqual(Date.UTC(2020, 0, 1))
      expect(value['createdAt']).toBeLessThan(Date.UTC(2025, 0, 1))
      expect(value['timeOfDay']).toBeLessThan(86_400_000)
    }
    expect(seen.nullName).toBeGreaterThan(50)
    expect(seen.textName).toBeGreaterThan(50)
    expect(seen.colors).toEqual(new Set(['RED', 'GREEN', 'BLUE']))
    expect(seen.wrapped).toEqual(new Set(['int', 'long', 'string']))
  })

  test('decimals are two\'s-complement unscaled integers within their precision', () => {
    const values = new AvroValues(order, 5)
    let negative = 0
    for (let i = 0; i < 1000; i++) {
      const total = (values.at(i) as { total: Buffer }).total
      const unscaled = BigInt.asIntN(total.length * 8, BigInt(`0x${total.toString('hex') || '0'}`))
      if (unscaled < 0n) negative++
      expect(unscaled < 10n ** 9n && unscaled > -(10n ** 9n)).toBe(true)
    }
    expect(negative).toBeGreaterThan(300)
  })

  test('a schema that is not Avro is a ConfigError naming the schema', () => {
    expect(() => new AvroValues({ type: 'record', name: 'Bad', fields: [{ name: 'x', type: 'nope' }] }, 1)).toThrow(ConfigError)
  })

  test('a record that holds itself with no way out is refused at start', () => {
    const endless = { type: 'record', name: 'Endless', fields: [{ name: 'more', type: 'Endless' }] }
    expect(() => new AvroValues(endless, 1)).toThrow(/no finite value/)
  })
})
