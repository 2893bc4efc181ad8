import { describe, expect, it } from 'vitest'
import { InMemorySchemaRegistry, serdes } from '../../core/serde/index.js'
import { serdeErrorOf, valueOf } from './helpers.js'

describe('serdes.nullable', () => {
  const serde = serdes.nullable(serdes.string())
  const context = valueOf('users')

  it('writes null as no bytes (a tombstone) and reads no bytes as null', () => {
    expect(serde.serialize(null, context)).toBeNull()
    expect(serde.deserialize(null, context)).toBeNull()
  })

  it('hands other values to the inner serde', () => {
    const bytes = serde.serialize('ada', context)
    expect(bytes?.toString()).toBe('ada')
    expect(serde.deserialize(Buffer.from('ada'), context)).toBe('ada')
  })

  it('is marked nullable and named after the inner serde', () => {
    expect(serde.nullable).toBe(true)
    expect(serde.name).toBe('nullable(string)')
  })

  it('passes the inner serde errors through', () => {
    expect(serdeErrorOf(() => serde.deserialize(Buffer.from([0xff]), context)).serde).toBe('string')
  })

  it('keeps the inner serde prepare hook, and has none when the inner serde has none', () => {
    const avro = serdes.nullable(serdes.avro({ schema: 'string', registry: new InMemorySchemaRegistry() }))
    expect(avro.prepare).toBeTypeOf('function')
    expect(avro.prepare?.(Buffer.from([1]), context)).toBeUndefined()
    expect(serde.prepare).toBeUndefined()
  })
})
