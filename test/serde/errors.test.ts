import { describe, expect, it } from 'vitest'
import { TributaryError } from '../../core/errors.js'
import { SchemaRegistryError, SerdeError } from '../../core/serde/index.js'

describe('SerdeError', () => {
  it('names operation, key or value, topic, serde and reason, with a stable code', () => {
    const cause = new SyntaxError('Unexpected token } at position 7')
    const error = new SerdeError('deserialize', { topic: 'orders', isKey: false }, 'json', cause.message, cause)
    expect(error).toBeInstanceOf(TributaryError)
    expect(error.name).toBe('SerdeError')
    expect(error.code).toBe('TRIBUTARY_SERDE')
    expect(error.retriable).toBe(false)
    expect(error.message).toBe('cannot deserialize value of topic orders with json: Unexpected token } at position 7')
    expect(error).toMatchObject({ operation: 'deserialize', topic: 'orders', isKey: false, serde: 'json', reason: cause.message })
    expect(error.cause).toBe(cause)
  })

  it('says key for keys and serialize for writes', () => {
    const error = new SerdeError('serialize', { topic: 'counts', isKey: true }, 'int32', '1.5 is not a 32-bit integer')
    expect(error.message).toBe('cannot serialize key of topic counts with int32: 1.5 is not a 32-bit integer')
  })
})

describe('SchemaRegistryError', () => {
  it('names the subject and has its own code', () => {
    const error = new SchemaRegistryError('orders-value', 'unknown type: "nope"')
    expect(error).toBeInstanceOf(TributaryError)
    expect(error.code).toBe('TRIBUTARY_SCHEMA_REGISTRY')
    expect(error.message).toBe('cannot register a schema under subject orders-value: unknown type: "nope"')
  })
})
