import avsc from 'avsc'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../core/errors.js'
import { InMemorySchemaRegistry, serdes } from '../../core/serde/index.js'
import { FixedIdRegistry, fixture, framed, keyOf, serdeErrorOf, valueOf } from './helpers.js'

interface Order {
  id: string
  total: number
  tags: string[]
  note: string | null
}
const ORDER_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
}
const USER_SCHEMA = {
  namespace: 'example.avro',
  type: 'record',
  name: 'User',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'favorite_number', type: ['int', 'null'] },
    { name: 'favorite_color', type: ['string', 'null'] },
  ],
}
const order: Order = { id: 'o1', total: 5, tags: ['new', 'gift'], note: null }
const context = valueOf('orders')

describe('serdes.avro', () => {
  it('round-trips a record', () => {
    const serde = serdes.avro<Order>({ schema: ORDER_SCHEMA, registry: new InMemorySchemaRegistry() })
    expect(serde.deserialize(serde.serialize(order, context), context)).toEqual(order)
    const withNote = { ...order, note: 'ring twice' }
    expect(serde.deserialize(serde.serialize(withNote, context), context)).toEqual(withNote)
  })

  it('round-trips primitives, maps, enums and an avsc Type given as schema', () => {
    const registry = new InMemorySchemaRegistry()
    const cases: [unknown, unknown][] = [
      ['long', 2 ** 40],
      ['string', 'héllo'],
      [{ type: 'map', values: 'int' }, { a: 1, b: -2 }],
      [{ type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] }, 'GREEN'],
      [avsc.Type.forSchema({ type: 'array', items: 'boolean' }), [true, false]],
    ]
    for (const [schema, value] of cases) {
      const serde = serdes.avro({ schema: schema as string, registry })
      expect(serde.deserialize(serde.serialize(value, context), context)).toEqual(value)
    }
  })

  it('is named after the full name of the schema, or its type when it has none', () => {
    expect(serdes.avro({ schema: ORDER_SCHEMA, registry: new InMemorySchemaRegistry() }).name).toBe('avro(com.acme.Order)')
    expect(serdes.avro({ schema: { type: 'array', items: 'int' }, registry: new InMemorySchemaRegistry() }).name).toBe('avro(array)')
  })

  it('writes magic byte 0, the big-endian schema id, then the Avro body', () => {
    const registry = new InMemorySchemaRegistry()
    const serde = serdes.avro<Order>({ schema: ORDER_SCHEMA, registry })
    const bytes = serde.serialize(order, context)
    const id = registry.latest('orders-value')?.id
    expect(bytes[0]).toBe(0)
    expect(bytes.readInt32BE(1)).toBe(id)
    expect(bytes.subarray(5).equals(avsc.Type.forSchema(ORDER_SCHEMA as never).toBuffer(order))).toBe(true)
    const body = [
      '04 6f31', // id: length 2, "o1"
      '0000000000001440', // total: 5.0, little-endian double
      '04 06 6e6577 08 67696674 00', // tags: a block of 2, "new", "gift", end of array
      '00', // note: union branch 0, null
    ]
    expect(bytes.subarray(5).toString('hex')).toBe(body.join('').replace(/ /g, ''))
  })

  it('reads bytes written by Java Avro in the Confluent framing (golden fixture)', () => {
    const serde = serdes.avro({ schema: USER_SCHEMA, registry: new FixedIdRegistry({ 1: USER_SCHEMA }) })
    expect(serde.deserialize(fixture('user-confluent-wire.hex'), valueOf('users'))).toEqual({
      name: 'John Doe',
      favorite_number: null,
      favorite_color: 'green',
    })
  })

  it('writes the golden fixture body byte for byte', () => {
    const registry = new InMemorySchemaRegistry()
    const serde = serdes.avro({ schema: USER_SCHEMA, registry })
    const bytes = serde.serialize({ name: 'John Doe', favorite_number: null, favorite_color: 'green' }, valueOf('users'))
    expect(bytes.subarray(5).equals(fixture('user-confluent-wire.hex').subarray(5))).toBe(true)
  })

  it('registers the writer schema under <topic>-value or <topic>-key by default, once per subject', () => {
    const registry = new InMemorySchemaRegistry()
    const serde = serdes.avro<string>({ schema: 'string', registry })
    serde.serialize('a', valueOf('orders'))
    serde.serialize('b', valueOf('orders'))
    serde.serialize('c', keyOf('orders'))
    expect(registry.latest('orders-value')?.version).toBe(1)
    expect(registry.latest('orders-key')?.schema).toBe('string')
  })

  it('registers under a fixed subject or one computed from the context', () => {
    const registry = new InMemorySchemaRegistry()
    serdes.avro<string>({ schema: 'string', registry, subject: 'shared' }).serialize('a', context)
    serdes.avro<string>({ schema: 'string', registry, subject: (c) => `${c.topic}.${c.isKey ? 'k' : 'v'}` }).serialize('a', context)
    expect(registry.latest('shared')).toBeDefined()
    expect(registry.latest('orders.v')).toBeDefined()
    expect(registry.latest('orders-value')).toBeUndefined()
  })

  it('refuses to serialize a value the schema does not allow, saying where', () => {
    const serde = serdes.avro<Order>({ schema: ORDER_SCHEMA, registry: new InMemorySchemaRegistry() })
    const error = serdeErrorOf(() => serde.serialize({ ...order, total: 'five' } as unknown as Order, context))
    expect(error.operation).toBe('serialize')
    expect(error.message).toBe(
      "cannot serialize value of topic orders with avro(com.acme.Order): invalid value for com.acme.Order: total: 'five' is not double",
    )
  })

  it('rejects a wrong magic byte', () => {
    const serde = serdes.avro({ schema: 'string', registry: new InMemorySchemaRegistry() })
    const error = serdeErrorOf(() => serde.deserialize(Buffer.from('{"id":"o1"}'), context))
    expect(error.serde).toBe('avro(string)')
    expect(error.reason).toMatch(/^unknown magic byte 0x7b; expected 0x00/)
  })

  it('rejects a payload shorter than the header', () => {
    const serde = serdes.avro({ schema: 'string', registry: new InMemorySchemaRegistry() })
    expect(serdeErrorOf(() => serde.deserialize(Buffer.from([0, 0, 1]), context)).reason).toBe(
      'payload of 3 bytes is shorter than the 5-byte schema-registry header',
    )
  })

  it('rejects an unknown schema id, naming it', () => {
    const serde = serdes.avro({ schema: 'string', registry: new InMemorySchemaRegistry() })
    const error = serdeErrorOf(() => serde.deserialize(framed(4242, Buffer.from([2, 0x61])), context))
    expect(error.message).toBe(
      'cannot deserialize value of topic orders with avro(string): unknown schema id 4242: the schema registry has no schema with this id',
    )
  })

  it('rejects a truncated body and trailing bytes', () => {
    const registry = new InMemorySchemaRegistry()
    const serde = serdes.avro<Order>({ schema: ORDER_SCHEMA, registry })
    const bytes = serde.serialize(order, context)
    expect(serdeErrorOf(() => serde.deserialize(bytes.subarray(0, bytes.length - 3), context)).reason).toMatch(/runs past the end/)
    const trailing = serdeErrorOf(() => serde.deserialize(Buffer.concat([bytes, Buffer.from([7, 7])]), context))
    expect(trailing.reason).toMatch(/^2 trailing bytes after the value/)
    expect(trailing.topic).toBe('orders')
  })

  it('wraps what avsc itself refuses, such as a long beyond 2^53', () => {
    const registry = new InMemorySchemaRegistry()
    const serde = serdes.avro({ schema: 'long', registry })
    const id = serde.serialize(1, context).readInt32BE(1)
    const huge = Buffer.from('feffffffffffffffff01', 'hex') // zigzag 2^64 - 2: 2^63 - 1
    expect(serdeErrorOf(() => serde.deserialize(framed(id, huge), context)).reason).toMatch(/precision loss/)
  })

  it('refuses to serialize a value larger than maxBytes, so nothing unreadable is written', () => {
    const serde = serdes.avro<string>({ schema: 'string', registry: new InMemorySchemaRegistry(), maxBytes: 8 })
    expect(serdeErrorOf(() => serde.serialize('a long string', context)).reason).toBe('the encoded value of 14 bytes exceeds maxBytes 8')
  })

  it('is a ConfigError to give an invalid schema or limit', () => {
    expect(() => serdes.avro({ schema: { type: 'nope' } })).toThrow(ConfigError)
    expect(() => serdes.avro({ schema: 'string', readerSchema: { type: 'record' } })).toThrow(/readerSchema/)
    expect(() => serdes.avro({ schema: 'string', maxDepth: 0 })).toThrow(/maxDepth: must be a positive integer/)
  })

  it('shares the default registry between serdes of one process', () => {
    const writer = serdes.avro<string>({ schema: { type: 'string', doc: 'default registry test' } as never })
    const reader = serdes.avro<string>({ schema: 'string' })
    expect(reader.deserialize(writer.serialize('shared', context), context)).toBe('shared')
  })
})
