import { describe, expect, it } from 'vitest'
import { serdes } from '../../core/serde/index.js'
import { serdeErrorOf, valueOf } from './helpers.js'

describe('serdes.string', () => {
  const serde = serdes.string()
  const context = valueOf('greetings')

  it('round-trips text, the empty string, astral characters and a leading BOM', () => {
    for (const text of ['héllo', '', '🦀 crab', '\uFEFFbom kept', 'line\nbreak\u0000nul']) {
      expect(serde.deserialize(serde.serialize(text, context), context)).toBe(text)
    }
  })

  it('writes UTF-8 bytes, as Kafka StringSerde does', () => {
    expect(serde.serialize('héllo', context).toString('hex')).toBe('68c3a96c6c6f')
  })

  it('rejects bytes that are not UTF-8 with a SerdeError naming topic and serde', () => {
    const error = serdeErrorOf(() => serde.deserialize(Buffer.from([0x68, 0xff, 0x69]), context))
    expect(error.topic).toBe('greetings')
    expect(error.serde).toBe('string')
    expect(error.isKey).toBe(false)
    expect(error.message).toMatch(/^cannot deserialize value of topic greetings with string: not valid UTF-8/)
  })
})
