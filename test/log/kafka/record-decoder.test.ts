/**
 * The fetched-record decoder that replaces kafkajs 2.2.4's (kafkajs-fixes.ts), checked against
 * kafkajs's own decoder (loaded from its file for the comparison) on records of every shape.
 */
import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeBatch, type BatchRecord } from '../../../core/log/engine/record-batch.js'
import { decodeFetchedRecord, type FetchedBatchContext, type KafkaJsDecoder } from '../../../core/log/kafka/record-decoder.js'
import { kafkajsFixesApplied } from '../../../core/log/kafka/kafkajs-fixes.js'

const require = createRequire(import.meta.url)
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkaJsDecoder

/** kafkajs's record decoder as shipped, compiled afresh from its file (the cached module is the fix). */
function kafkajsRecordDecoder(): (decoder: KafkaJsDecoder, context: FetchedBatchContext) => unknown {
  const path = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder.js')
  const internals = Module as unknown as { new (id: string): { filename: string; paths: string[]; exports: unknown; _compile(source: string, path: string): void }; _nodeModulePaths(dir: string): string[] }
  const original = new internals(path)
  original.filename = path
  original.paths = internals._nodeModulePaths(dirname(path))
  original._compile(readFileSync(path, 'utf8'), path)
  return original.exports as (decoder: KafkaJsDecoder, context: FetchedBatchContext) => unknown
}

/** Each record's bytes in a batch (length prefix read off), as kafkajs's batch decoder hands them over. */
function recordBytes(batch: Buffer, count: number): Buffer[] {
  const decoder = new Decoder(batch)
  decoder.offset = 61
  return Array.from({ length: count }, () => {
    const length = decoder.readVarInt()
    const bytes = batch.subarray(decoder.offset, decoder.offset + length)
    decoder.offset += length
    return bytes
  })
}

function bothDecoders(records: readonly BatchRecord[], context: FetchedBatchContext) {
  const original = kafkajsRecordDecoder()
  const batch = encodeBatch(records, { baseOffset: 0, defaultTimestamp: 1_700_000_000_000 })
  return recordBytes(batch, records.length).map((bytes) => ({ fixed: decodeFetchedRecord(new Decoder(bytes), context), original: original(new Decoder(bytes), context) }))
}

const records: BatchRecord[] = [
  { key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1_700_000_000_000, headers: [] },
  { key: null, value: null, timestamp: 1_699_999_000_000, headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'a', value: Buffer.from('2') }, { key: 'b', value: Buffer.alloc(0) }, { key: 'a', value: Buffer.from('3') }] },
  { key: Buffer.alloc(0), value: Buffer.alloc(300, 7), timestamp: 1_700_000_123_456, headers: [{ key: 'é', value: Buffer.from('y') }] },
  { key: Buffer.from('late'), value: Buffer.from('v'), timestamp: 0, headers: [] },
]

describe('decodeFetchedRecord', () => {
  it('is what kafkajs decodes a fetched record as, for create-time records of every shape', () => {
    const context: FetchedBatchContext = { firstOffset: '9007199254000000', firstTimestamp: '1700000000000', magicByte: 2, isControlBatch: false, timestampType: 0, maxTimestamp: '1700000123456' }
    for (const { fixed, original } of bothDecoders(records, context)) expect(fixed).toEqual(original)
  })

  it('gives log-append-time records the batch maximum, and marks control records, as kafkajs does', () => {
    const context: FetchedBatchContext = { firstOffset: '5', firstTimestamp: '1700000000000', magicByte: 2, isControlBatch: true, timestampType: 1, maxTimestamp: '1800000000000' }
    for (const { fixed, original } of bothDecoders(records, context)) expect(fixed).toEqual(original)
  })

  it('adds offsets and timestamps exactly past 2^53', () => {
    const context: FetchedBatchContext = { firstOffset: '9223372036854775000', firstTimestamp: '9007199254740993', magicByte: 2, timestampType: 0 }
    for (const { fixed, original } of bothDecoders(records.slice(0, 2), context)) expect(fixed).toEqual(original)
  })

  it('keeps headers named like Object properties, which kafkajs turned into [prototype, value]', () => {
    const named: BatchRecord[] = [{ key: null, value: null, timestamp: 1, headers: [{ key: '__proto__', value: Buffer.from('x') }, { key: 'constructor', value: Buffer.from('y') }, { key: 'constructor', value: Buffer.from('z') }] }]
    const { fixed } = bothDecoders(named, { firstOffset: '0', firstTimestamp: '1', magicByte: 2, timestampType: 0 })[0]!
    expect(Object.getOwnPropertyNames(fixed.headers)).toEqual(['__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(fixed.headers, '__proto__')?.value).toEqual(Buffer.from('x'))
    expect(fixed.headers['constructor']).toEqual([Buffer.from('y'), Buffer.from('z')])
  })

  it('is the decoder kafkajs uses once Tributary is loaded', () => {
    expect(kafkajsFixesApplied()).toBe(true)
  })
})
