import { describe, expect, it } from 'vitest'
import { serdes } from '../../core/serde/index.js'
import { serdeErrorOf, keyOf, valueOf } from './helpers.js'

interface Order {
  id: string
  total: number
}
const isOrder = (value: unknown): value is Order =>
  typeof value === 'object' && value !== null && typeof (value as Order).id === 'string' && typeof (value as Order).total === 'number'

describe('serdes.json', () => {
  const context = valueOf('orders')

  it('round-trips objects, arrays, strings, numbers, booleans and null', () => {
    const serde = serdes.json()
    for (const value of [{ a: [1, 'two', { three: true }] }, [], 'text', 4.5, false, null]) {
      expect(serde.deserialize(serde.serialize(value, context), context)).toEqual(value)
    }
  })

  it('writes compact UTF-8 JSON', () => {
    expect(serdes.json<{ é: number }>().serialize({ é: 1 }, context).toString('utf8')).toBe('{"é":1}')
  })

  it('with a guard, returns values the guard accepts', () => {
    const serde = serdes.json({ guard: isOrder })
    expect(serde.deserialize(Buffer.from('{"id":"o1","total":5}'), context)).toEqual({ id: 'o1', total: 5 })
  })

  it('with a guard, rejects a bad shape with a SerdeError naming the guard', () => {
    const serde = serdes.json({ guard: isOrder })
    const error = serdeErrorOf(() => serde.deserialize(Buffer.from('{"id":"o1","total":"5"}'), context))
    expect(error.serde).toBe('json(isOrder)')
    expect(error.message).toBe(
      'cannot deserialize value of topic orders with json(isOrder): isOrder rejected the value: {"id":"o1","total":"5"}',
    )
  })

  it('names itself after the name option over the guard', () => {
    expect(serdes.json({ guard: isOrder, name: 'Order' }).name).toBe('json(Order)')
    expect(serdes.json().name).toBe('json')
  })

  it('reports a corrupt payload with topic, key or value, serde and the parser reason', () => {
    const error = serdeErrorOf(() => serdes.json().deserialize(Buffer.from('{"a":}'), keyOf('orders')))
    expect(error.code).toBe('TRIBUTARY_SERDE')
    expect(error.topic).toBe('orders')
    expect(error.isKey).toBe(true)
    expect(error.message).toMatch(/^cannot deserialize key of topic orders with json: Unexpected token/)
    expect(error.cause).toBeInstanceOf(SyntaxError)
  })

  it('rejects bytes that are not UTF-8 rather than parsing replaced characters', () => {
    serdeErrorOf(() => serdes.json().deserialize(Buffer.from([0x22, 0xff, 0x22]), context))
  })

  it('refuses to serialize values JSON cannot hold', () => {
    expect(serdeErrorOf(() => serdes.json<unknown>().serialize(undefined, context)).reason).toBe('undefined has no JSON form')
    expect(serdeErrorOf(() => serdes.json<unknown>().serialize(10n, context)).operation).toBe('serialize')
    const cycle: { self?: unknown } = {}
    cycle.self = cycle
    expect(serdeErrorOf(() => serdes.json<unknown>().serialize(cycle, context)).reason).toMatch(/circular/)
  })
})
