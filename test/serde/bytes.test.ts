import { describe, expect, it } from 'vitest'
import { serdes } from '../../core/serde/index.js'
import { valueOf } from './helpers.js'

describe('serdes.bytes', () => {
  const serde = serdes.bytes()
  const context = valueOf('raw')

  it('round-trips bytes unchanged, the empty buffer included', () => {
    for (const bytes of [Buffer.from([0, 1, 0xff]), Buffer.alloc(0)]) {
      expect(serde.deserialize(serde.serialize(bytes, context), context).equals(bytes)).toBe(true)
    }
  })

  it('accepts any bytes, so no payload is corrupt for it', () => {
    const noise = Buffer.from('ff00fe7b', 'hex')
    expect(serde.deserialize(noise, context)).toBe(noise)
  })

  it('is named bytes', () => {
    expect(serde.name).toBe('bytes')
  })
})
