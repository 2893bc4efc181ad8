import { describe, expect, it } from 'vitest'
import { InMemorySchemaRegistry, SchemaRegistryError, topicNameStrategy } from '../../core/serde/index.js'

const ORDER = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] }
const ORDER_V2 = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'n', type: 'int', default: 0 }] }

describe('InMemorySchemaRegistry', () => {
  it('returns the same id for the same schema, and adds no version', () => {
    const registry = new InMemorySchemaRegistry()
    const id = registry.register('orders-value', ORDER)
    expect(registry.register('orders-value', JSON.parse(JSON.stringify(ORDER)) as typeof ORDER)).toBe(id)
    expect(registry.latest('orders-value')).toEqual({ id, version: 1, subject: 'orders-value', schema: ORDER })
  })

  it('numbers the versions of a subject and reports the latest', () => {
    const registry = new InMemorySchemaRegistry()
    const v1 = registry.register('orders-value', ORDER)
    const v2 = registry.register('orders-value', ORDER_V2)
    expect(v2).not.toBe(v1)
    expect(registry.latest('orders-value')?.version).toBe(2)
    expect(registry.register('orders-value', ORDER)).toBe(v1)
    expect(registry.latest('orders-value')?.id).toBe(v2)
  })

  it('gives a schema one id under every subject', () => {
    const registry = new InMemorySchemaRegistry()
    expect(registry.register('a-value', ORDER)).toBe(registry.register('b-value', ORDER))
  })

  it('finds schemas by id, and nothing for an unknown id or subject', () => {
    const registry = new InMemorySchemaRegistry()
    const id = registry.register('orders-value', ORDER_V2)
    expect(registry.schemaById(id)).toEqual(ORDER_V2)
    expect(registry.schemaById(id + 1)).toBeUndefined()
    expect(registry.latest('nope')).toBeUndefined()
  })

  it('derives ids from the content, so another process gets the same ids in any order', () => {
    const first = new InMemorySchemaRegistry()
    const second = new InMemorySchemaRegistry()
    const a = first.register('s', ORDER)
    const b = first.register('s', 'string')
    expect(second.register('t', 'string')).toBe(b)
    expect(second.register('t', ORDER)).toBe(a)
    expect(a).toBeGreaterThan(0)
  })

  it('treats schemas differing only in a default or doc as different schemas', () => {
    const registry = new InMemorySchemaRegistry()
    const withDoc = { ...ORDER, doc: 'an order' }
    expect(registry.register('s', withDoc)).not.toBe(registry.register('s', ORDER))
    const otherDefault = { ...ORDER_V2, fields: [ORDER_V2.fields[0], { name: 'n', type: 'int', default: 1 }] }
    expect(registry.register('s', otherDefault)).not.toBe(registry.register('s', ORDER_V2))
  })

  it('refuses a schema that is not valid Avro', () => {
    const registry = new InMemorySchemaRegistry()
    expect(() => registry.register('orders-value', { type: 'nope' })).toThrow(SchemaRegistryError)
    expect(() => registry.register('orders-value', { type: 'nope' })).toThrow(/subject orders-value: unknown type/)
  })

  it('keeps stored schemas from being changed through what it returns', () => {
    const registry = new InMemorySchemaRegistry()
    const id = registry.register('s', ORDER)
    expect(Object.isFrozen(registry.schemaById(id))).toBe(true)
  })
})

describe('topicNameStrategy', () => {
  it('names subjects <topic>-key and <topic>-value, as Confluent does', () => {
    expect(topicNameStrategy({ topic: 'orders', isKey: true })).toBe('orders-key')
    expect(topicNameStrategy({ topic: 'orders', isKey: false })).toBe('orders-value')
  })
})
