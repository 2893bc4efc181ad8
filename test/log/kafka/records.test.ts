import type { KafkaMessage } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { toKafkaMessage, toLogRecord } from '../../../core/log/kafka/records.js'

describe('toKafkaMessage', () => {
  it('carries the partition, key, value and timestamp (as kafkajs wants it, a decimal string)', () => {
    expect(toKafkaMessage({ topic: 't', key: Buffer.from('k'), value: null }, 3, 1_600_000_000_000)).toEqual({
      partition: 3,
      key: Buffer.from('k'),
      value: null,
      timestamp: '1600000000000',
    })
  })

  it("groups headers by key, each key's values in order", () => {
    const message = toKafkaMessage(
      { topic: 't', value: null, headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: Buffer.from('2') }, { key: 'a', value: Buffer.from('3') }] },
      0,
      0,
    )
    expect({ ...message.headers }).toEqual({ a: [Buffer.from('1'), Buffer.from('3')], b: [Buffer.from('2')] })
  })

  it('keeps a header named __proto__ as a header', () => {
    const message = toKafkaMessage({ topic: 't', value: null, headers: [{ key: '__proto__', value: Buffer.from('x') }] }, 0, 0)
    expect(Object.keys(message.headers ?? {})).toEqual(['__proto__'])
  })
})

describe('toLogRecord', () => {
  it('turns offsets and timestamps into numbers and headers into a list', () => {
    const message: KafkaMessage = {
      key: null,
      value: Buffer.from('v'),
      timestamp: '1600000000123',
      attributes: 0,
      offset: '42',
      headers: { a: [Buffer.from('1'), Buffer.from('3')], b: Buffer.from('2') },
    }
    expect(toLogRecord('orders', 1, message)).toEqual({
      topic: 'orders',
      partition: 1,
      offset: 42,
      timestamp: 1_600_000_000_123,
      key: null,
      value: Buffer.from('v'),
      headers: [
        { key: 'a', value: Buffer.from('1') },
        { key: 'a', value: Buffer.from('3') },
        { key: 'b', value: Buffer.from('2') },
      ],
    })
  })
})
