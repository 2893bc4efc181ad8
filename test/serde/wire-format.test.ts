import { describe, expect, it } from 'vitest'
import { schemaIdOf, wireHeaderProblem, writeWirePayload } from '../../core/serde/index.js'
import { fixture } from './helpers.js'

describe('Confluent wire format', () => {
  it('frames a body as magic byte 0, big-endian schema id, body', () => {
    expect(writeWirePayload(0x01020304, Buffer.from([0xaa, 0xbb])).toString('hex')).toBe('0001020304aabb')
  })

  it('reads the schema id of a framed payload, the golden fixture included', () => {
    expect(schemaIdOf(writeWirePayload(7, Buffer.alloc(0)))).toBe(7)
    expect(schemaIdOf(fixture('user-confluent-wire.hex'))).toBe(1)
  })

  it('finds no id in a payload with another magic byte or shorter than the header, and says why', () => {
    expect(schemaIdOf(Buffer.from('{"a":1}'))).toBeUndefined()
    expect(wireHeaderProblem(Buffer.from('{"a":1}'))).toMatch(/^unknown magic byte 0x7b/)
    expect(schemaIdOf(Buffer.from([0, 0, 0, 1]))).toBeUndefined()
    expect(wireHeaderProblem(Buffer.from([0, 0, 0, 1]))).toBe('payload of 4 bytes is shorter than the 5-byte schema-registry header')
  })
})
