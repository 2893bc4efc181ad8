import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { crc32c } from '@node-rs/crc32'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../core/log/errors.js'
import {
  BATCH_HEADER_BYTES,
  batchTotalBytes,
  checkBatch,
  decodeRecords,
  encodeBatch,
  encodeControlBatch,
  isControl,
  isTransactional,
  lastOffsetOf,
  LOG_OVERHEAD,
  readBatchHeader,
  readControlMarker,
  setBaseOffset,
  type BatchRecord,
  type EncodeBatchOptions,
} from '../../core/log/engine/record-batch.js'
import { cursor, MalformedBytes, readVarint, readVarlong, varintBytes, varlongBytes, writeVarint, writeVarlong } from '../../core/log/engine/varint.js'
import type { LogRecord, RecordHeader } from '../../core/log/types.js'

const T0 = 1_700_000_000_000
const MAX_SAFE = Number.MAX_SAFE_INTEGER

/** A fixture: hex digits, whitespace ignored, `#` starts a comment. */
function fixture(name: string): Buffer {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
  const hex = text.replace(/#.*$/gm, '').replace(/\s+/g, '')
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`fixture ${name} is not hex`)
  return Buffer.from(hex, 'hex')
}

function rec(key: string | null, value: string | null, timestamp = T0, headers: readonly RecordHeader[] = []): BatchRecord {
  return { key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), headers, timestamp }
}

function decodeAll(buf: Buffer, pos = 0, minOffset = 0, limit = Number.POSITIVE_INFINITY): LogRecord[] {
  const out: LogRecord[] = []
  decodeRecords(buf, pos, readBatchHeader(buf, pos), 'orders', 3, minOffset, out, limit)
  return out
}

function expectRoundTrip(records: readonly BatchRecord[], options: EncodeBatchOptions): LogRecord[] {
  const batch = encodeBatch(records, options)
  expect(checkBatch(batch, 0, readBatchHeader(batch, 0))).toBeUndefined()
  const decoded = decodeAll(batch)
  expect(decoded.map(comparable)).toEqual(records.map(comparable))
  return decoded
}

/** Bytes as hex, so large buffers compare fast and null stays apart from empty. */
function comparable(record: BatchRecord): unknown {
  const hex = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('hex'))
  return { key: hex(record.key ?? null), value: hex(record.value), headers: (record.headers ?? []).map((h) => [h.key, hex(h.value)]), timestamp: record.timestamp }
}

/** Recomputes the CRC after a deliberate edit, so only the structural checks can catch the damage. */
function reseal(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17)
  return batch
}

function corruptError(run: () => void): CorruptRecordError {
  try {
    run()
  } catch (err) {
    if (err instanceof CorruptRecordError) return err
    throw err
  }
  throw new Error('expected a CorruptRecordError')
}

describe('golden fixture', () => {
  const golden = fixture('record-batch-v2.hex')

  it('encodes one record exactly as the hand-written bytes of the grammar', () => {
    expect(encodeBatch([rec('k', 'v')], { baseOffset: 0 }).toString('hex')).toBe(golden.toString('hex'))
  })

  it('reads the hand-written header and record back', () => {
    const header = readBatchHeader(golden, 0)
    expect(header).toEqual({
      baseOffset: 0, batchLength: 58, partitionLeaderEpoch: 0, magic: 2, crc: 0xe99b8dd8, attributes: 0,
      lastOffsetDelta: 0, baseTimestamp: T0, maxTimestamp: T0, producerId: -1, producerEpoch: -1,
      baseSequence: -1, recordCount: 1,
    })
    expect(checkBatch(golden, 0, header)).toBeUndefined()
    expect(batchTotalBytes(header)).toBe(golden.length)
    expect(decodeAll(golden)).toEqual([
      { topic: 'orders', partition: 3, offset: 0, timestamp: T0, key: Buffer.from('k'), value: Buffer.from('v'), headers: [] },
    ])
  })
})

describe('batches written by Kafka', () => {
  it('decodes six batches from Kafka’s Java producer and re-encodes each to the same bytes', () => {
    const segment = fixture('record-batch-v2-java-producer.hex')
    const records: LogRecord[] = []
    let pos = 0
    while (pos < segment.length) {
      const header = readBatchHeader(segment, pos)
      expect(checkBatch(segment, pos, header)).toBeUndefined()
      const before = records.length
      decodeRecords(segment, pos, header, 't', 0, 0, records, 100)
      const batch = segment.subarray(pos, pos + batchTotalBytes(header))
      expect(encodeBatch(records.slice(before), { baseOffset: header.baseOffset }).equals(batch)).toBe(true)
      pos += batchTotalBytes(header)
    }
    expect(pos).toBe(segment.length)
    expect(records.map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n - 1, `KEY-${n}`, `VALUE-Lorem ipsum dolor sit amet-${n}`]),
    )
    expect(records[0]?.timestamp).toBe(1539644731680)
    expect(records[1]?.timestamp).toBe(1539644732194)
  })

  it('inflates a broker’s gzip batch and gives every record the log-append time', () => {
    const batch = fixture('record-batch-v2-gzip.hex')
    const header = readBatchHeader(batch, 0)
    expect(header.attributes).toBe(0x0009)
    expect(checkBatch(batch, 0, header)).toBeUndefined()
    expect(decodeAll(batch)).toEqual([{
      topic: 'orders', partition: 3, offset: 0, timestamp: 1597425188809,
      key: Buffer.from('key-0'), value: Buffer.from('value-0-2020-08-14T17:13:08.682Z'), headers: [],
    }])
  })
})

describe('round trips', () => {
  it('keeps null and empty keys and values apart', () => {
    expectRoundTrip([rec(null, null), rec('', ''), rec(null, ''), rec('', null), rec('k', null)], { baseOffset: 0 })
  })

  it('keeps headers in order, repeated keys and empty values included', () => {
    const headers: RecordHeader[] = [
      { key: 'trace', value: Buffer.from('a') }, { key: 'trace', value: Buffer.from('b') },
      { key: 'empty', value: Buffer.alloc(0) }, { key: '', value: Buffer.from('no key') },
      { key: 'ключ-🔑', value: Buffer.from([0, 255, 128]) },
    ]
    expectRoundTrip([rec('k', 'v', T0, headers), rec('k2', 'v2'), rec(null, null, T0, headers.slice(0, 1))], { baseOffset: 7 })
  })

  it('keeps timestamps across the whole safe range, out of order included', () => {
    const stamps = [T0, 0, MAX_SAFE, T0 - 1, T0 + 2 ** 30, T0 - 2 ** 30 - 1, T0 + 2 ** 31, -1, 2 ** 52 + 3, 1]
    expectRoundTrip(stamps.map((t) => rec('k', 'v', t)), { baseOffset: 0 })
    expectRoundTrip([rec('k', 'v', MAX_SAFE), rec('k', 'v', 0)], { baseOffset: 0 })
    expectRoundTrip([rec('k', 'v', -MAX_SAFE), rec('k', 'v', 0)], { baseOffset: 0 })
  })

  it('keeps offsets near 2^53 - 1 and negative producer fields', () => {
    const baseOffset = MAX_SAFE - 2
    const batch = encodeBatch([rec('a', '1'), rec('b', '2'), rec('c', '3')],
      { baseOffset, producerId: -1, producerEpoch: -1, baseSequence: -1 })
    const header = readBatchHeader(batch, 0)
    expect(header).toMatchObject({ baseOffset, producerId: -1, producerEpoch: -1, baseSequence: -1, lastOffsetDelta: 2 })
    expect(lastOffsetOf(header)).toBe(MAX_SAFE)
    expect(decodeAll(batch).map((r) => r.offset)).toEqual([MAX_SAFE - 2, MAX_SAFE - 1, MAX_SAFE])
  })

  it('keeps idempotent and transactional producer fields', () => {
    const batch = encodeBatch([rec('a', '1')],
      { baseOffset: 10, producerId: 2 ** 40 + 5, producerEpoch: 32767, baseSequence: 2 ** 31 - 1, transactional: true })
    const header = readBatchHeader(batch, 0)
    expect(header).toMatchObject({ producerId: 2 ** 40 + 5, producerEpoch: 32767, baseSequence: 2 ** 31 - 1 })
    expect(isTransactional(header)).toBe(true)
    expect(isControl(header)).toBe(false)
    expect(checkBatch(batch, 0, header)).toBeUndefined()
  })

  it('crosses every varint length boundary of keys and values', () => {
    const sizes = [0, 1, 63, 64, 65, 8191, 8192, 1_048_575, 1_048_576]
    const records = sizes.map((size, i) => ({ key: Buffer.alloc(size, i), value: Buffer.alloc(sizes[sizes.length - 1 - i]!, 7), headers: [], timestamp: T0 }))
    expectRoundTrip(records, { baseOffset: 0 })
  })

  it('writes compaction rewrites with given offsets and the original last offset', () => {
    const batch = encodeBatch([rec('a', '1'), rec('b', '2'), rec('c', '3')], { baseOffset: 100, offsets: [101, 104, 107], lastOffset: 109 })
    const header = readBatchHeader(batch, 0)
    expect(lastOffsetOf(header)).toBe(109)
    expect(checkBatch(batch, 0, header)).toBeUndefined()
    expect(decodeAll(batch).map((r) => [r.offset, r.key?.toString()])).toEqual([[101, 'a'], [104, 'b'], [107, 'c']])
  })

  it('writes an empty batch that keeps only its offset range', () => {
    const batch = encodeBatch([], { baseOffset: 50, lastOffset: 59, producerId: 9, producerEpoch: 1, baseSequence: 40 })
    const header = readBatchHeader(batch, 0)
    expect(batch.length).toBe(BATCH_HEADER_BYTES)
    expect(header).toMatchObject({ recordCount: 0, baseTimestamp: -1, maxTimestamp: -1, producerId: 9 })
    expect(lastOffsetOf(header)).toBe(59)
    expect(checkBatch(batch, 0, header)).toBeUndefined()
    expect(decodeAll(batch)).toEqual([])
  })

  it('records the first timestamp as baseTimestamp and the largest as maxTimestamp', () => {
    const header = readBatchHeader(encodeBatch([rec('a', '1', T0 + 5), rec('b', '2', T0 + 9), rec('c', '3', T0)], { baseOffset: 0 }), 0)
    expect([header.baseTimestamp, header.maxTimestamp]).toEqual([T0 + 5, T0 + 9])
  })

  it('decodes keys and values as views of the batch, not copies', () => {
    const batch = encodeBatch([rec('key', 'value')], { baseOffset: 0 })
    const [record] = decodeAll(batch)
    expect(record?.value?.buffer).toBe(batch.buffer)
  })

  it('survives any records fast-check invents', () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { nil: null })
    const header = fc.record({ key: fc.string(), value: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) })
    // Up to MAX_SAFE - 1: any two of them are at most MAX_SAFE apart, the widest delta a batch holds exactly.
    const record = fc.record({ key: bytes, value: bytes, headers: fc.array(header, { maxLength: 4 }), timestamp: fc.integer({ min: -1, max: MAX_SAFE - 1 }) })
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), fc.nat({ max: MAX_SAFE - 30 }), (records, baseOffset) => {
      const decoded = expectRoundTrip(records, { baseOffset })
      expect(decoded.map((r) => r.offset)).toEqual(records.map((_, i) => baseOffset + i))
    }), { numRuns: 300, seed: 20261126 })
  })
})

describe('encodeBatch refuses what it cannot write', () => {
  it('throws on offsets that do not match the records', () => {
    expect(() => encodeBatch([rec('a', '1')], { baseOffset: 0, offsets: [] })).toThrow(RangeError)
    expect(() => encodeBatch([rec('a', '1'), rec('b', '2')], { baseOffset: 0, offsets: [3, 3] })).toThrow(RangeError)
    expect(() => encodeBatch([rec('a', '1')], { baseOffset: 5, offsets: [4] })).toThrow(RangeError)
    expect(() => encodeBatch([rec('a', '1')], { baseOffset: 0, offsets: [2 ** 31] })).toThrow(RangeError)
  })

  it('throws on a last offset before the last record, and on an empty batch without one', () => {
    expect(() => encodeBatch([rec('a', '1'), rec('b', '2')], { baseOffset: 0, lastOffset: 0 })).toThrow(RangeError)
    expect(() => encodeBatch([], { baseOffset: 0 })).toThrow(RangeError)
  })

  it('throws on a timestamp or base offset that is not a safe integer', () => {
    expect(() => encodeBatch([rec('a', '1', 1.5)], { baseOffset: 0 })).toThrow(RangeError)
    expect(() => encodeBatch([rec('a', '1', Number.NaN)], { baseOffset: 0 })).toThrow(RangeError)
    expect(() => encodeBatch([rec('a', '1')], { baseOffset: -1 })).toThrow(RangeError)
  })

  it('throws on timestamps more than 2^53 - 1 apart, whose delta a number cannot hold exactly', () => {
    expect(() => encodeBatch([rec('a', '1', -MAX_SAFE), rec('b', '2', 1)], { baseOffset: 0 })).toThrow(RangeError)
    expect(() => encodeBatch([rec('a', '1', MAX_SAFE), rec('b', '2', -1)], { baseOffset: 0 })).toThrow(RangeError)
  })
})

describe('control batches', () => {
  for (const marker of ['commit', 'abort'] as const) {
    it(`encodes a ${marker} marker as one transactional control record that yields nothing`, () => {
      const batch = encodeControlBatch(77, 4242, 3, marker, T0)
      const header = readBatchHeader(batch, 0)
      expect(batch.length).toBe(78)
      expect(header).toMatchObject({ baseOffset: 77, producerId: 4242, producerEpoch: 3, recordCount: 1, lastOffsetDelta: 0, baseTimestamp: T0, maxTimestamp: T0 })
      expect(isControl(header) && isTransactional(header)).toBe(true)
      expect(checkBatch(batch, 0, header)).toBeUndefined()
      expect(readControlMarker(batch, 0, header)).toBe(marker)
      expect(decodeAll(batch)).toEqual([])
      // key: version 0, type 1 (commit) or 0 (abort); value: version 0, coordinatorEpoch 0
      expect(batch.subarray(66, 70).toString('hex')).toBe(marker === 'commit' ? '00000001' : '00000000')
      expect(batch.subarray(71, 77).toString('hex')).toBe('000000000000')
    })
  }

  it('reports a control record of an unknown type', () => {
    const batch = reseal(encodeControlBatch(0, 1, 0, 'commit', T0).fill(7, 69, 70))
    const header = readBatchHeader(batch, 0)
    expect(checkBatch(batch, 0, header)).toMatch(/unknown control record type/)
    expect(() => readControlMarker(batch, 0, header)).toThrow(RangeError)
  })
})

describe('checkBatch', () => {
  const small = encodeBatch([rec('k', 'v', T0, [{ key: 'h', value: Buffer.from('x') }]), rec(null, 'second', T0 + 3)], { baseOffset: 12 })
  const batches: ReadonlyArray<readonly [string, Buffer]> = [
    ['the golden batch', fixture('record-batch-v2.hex')],
    ['a small batch with headers', small],
    ['a control batch', encodeControlBatch(5, 1, 0, 'commit', T0)],
  ]

  for (const [name, original] of batches) {
    it(`catches every single-bit flip from batchLength to the end of ${name}`, () => {
      // Bytes 0-7 (baseOffset) and 12-15 (partitionLeaderEpoch) are outside the CRC, as in Kafka.
      let flips = 0
      for (let byte = 8; byte < original.length; byte++) {
        if (byte >= 12 && byte < 16) continue
        for (let bit = 0; bit < 8; bit++) {
          const damaged = Buffer.from(original)
          damaged[byte]! ^= 1 << bit
          expect(checkBatch(damaged, 0, readBatchHeader(damaged, 0)), `byte ${byte} bit ${bit}`).toBeDefined()
          flips++
        }
      }
      expect(flips).toBe((original.length - 12) * 8)
    })
  }

  it('leaves baseOffset and partitionLeaderEpoch to the reader, as Kafka’s CRC does', () => {
    const moved = Buffer.from(small)
    setBaseOffset(moved, 0, 999)
    moved.writeInt32BE(4, 12)
    expect(checkBatch(moved, 0, readBatchHeader(moved, 0))).toBeUndefined()
    expect(decodeAll(moved).map((r) => r.offset)).toEqual([999, 1000])
  })

  it('names both checksums on a mismatch', () => {
    const damaged = Buffer.from(small)
    damaged[damaged.length - 1]! ^= 0x01
    const header = readBatchHeader(damaged, 0)
    expect(checkBatch(damaged, 0, header)).toMatch(new RegExp(`^crc mismatch: stored 0x${header.crc.toString(16).padStart(8, '0')}, computed 0x[0-9a-f]{8}$`))
  })

  it('reports every truncation of a batch as a bad length', () => {
    for (let length = BATCH_HEADER_BYTES; length < small.length; length++) {
      const torn = small.subarray(0, length)
      expect(checkBatch(torn, 0, readBatchHeader(torn, 0)), `${length} bytes`).toMatch(/^bad length/)
    }
  })

  it('reports a length shorter than the header, and a wrong magic', () => {
    const short = Buffer.from(small)
    short.writeInt32BE(BATCH_HEADER_BYTES - LOG_OVERHEAD - 1, 8)
    expect(checkBatch(short, 0, readBatchHeader(short, 0))).toMatch(/^bad length/)
    const magic = Buffer.from(small)
    magic[16] = 1
    expect(checkBatch(magic, 0, readBatchHeader(magic, 0))).toBe('bad magic 1 (expected 2)')
  })

  it('reports a record count that does not match the records, even with a valid CRC', () => {
    for (const count of [1, 3, -1]) {
      const wrong = Buffer.from(small)
      wrong.writeInt32BE(count, 57)
      reseal(wrong)
      expect(checkBatch(wrong, 0, readBatchHeader(wrong, 0)), `count ${count}`).toMatch(/record (count|structure) mismatch/)
    }
  })

  it('reports a record length prefix that overruns the batch, even with a valid CRC', () => {
    const wrong = Buffer.from(small)
    wrong[BATCH_HEADER_BYTES] = 0x7e // zigzag 63: longer than what remains
    reseal(wrong)
    expect(checkBatch(wrong, 0, readBatchHeader(wrong, 0))).toMatch(/^record structure mismatch/)
  })

  it('checks a batch in the middle of a larger buffer', () => {
    const buffer = Buffer.concat([Buffer.alloc(5, 0xaa), small, Buffer.alloc(9, 0xbb)])
    expect(checkBatch(buffer, 5, readBatchHeader(buffer, 5))).toBeUndefined()
    expect(decodeAll(buffer, 5).map((r) => r.value?.toString())).toEqual(['v', 'second'])
  })
})

describe('decodeRecords', () => {
  const ten = encodeBatch(Array.from({ length: 10 }, (_, i) => rec(`k${i}`, `v${i}`, T0 + i)), { baseOffset: 100 })

  it('skips records before minOffset', () => {
    expect(decodeAll(ten, 0, 105).map((r) => r.offset)).toEqual([105, 106, 107, 108, 109])
    expect(decodeAll(ten, 0, 110)).toEqual([])
  })

  it('appends to what is already in out and stops at limit', () => {
    const out: LogRecord[] = decodeAll(ten, 0, 0, 2)
    expect(out.map((r) => r.offset)).toEqual([100, 101])
    decodeRecords(ten, 0, readBatchHeader(ten, 0), 'orders', 3, 102, out, 5)
    expect(out.map((r) => r.offset)).toEqual([100, 101, 102, 103, 104])
    decodeRecords(ten, 0, readBatchHeader(ten, 0), 'orders', 3, 105, out, 5)
    expect(out).toHaveLength(5)
  })

  it('creates every record with the same property order', () => {
    const records = decodeAll(encodeBatch([rec(null, null), rec('k', 'v', T0, [{ key: 'h', value: Buffer.from('x') }])], { baseOffset: 0 }))
    for (const record of records) expect(Object.keys(record)).toEqual(['topic', 'partition', 'offset', 'timestamp', 'key', 'value', 'headers'])
  })

  it('throws CorruptRecordError with topic, partition and base offset, and leaves out untouched', () => {
    const wrong = Buffer.from(ten)
    wrong.writeInt32BE(11, 57) // one record more than the batch holds
    const out: LogRecord[] = decodeAll(ten, 0, 0, 1)
    const err = corruptError(() => decodeRecords(wrong, 0, readBatchHeader(wrong, 0), 'orders', 3, 0, out, 100))
    expect([err.topic, err.partition, err.offset, err.code]).toEqual(['orders', 3, 100, 'TRIBUTARY_CORRUPT_RECORD'])
    expect(out.map((r) => r.offset)).toEqual([100])
  })

  it('throws CorruptRecordError on every truncation instead of reading past the end', () => {
    for (let length = BATCH_HEADER_BYTES; length < ten.length; length++) {
      const torn = ten.subarray(0, length)
      corruptError(() => decodeAll(torn))
    }
  })

  it('throws CorruptRecordError on a field length that overruns its record', () => {
    const batch = encodeBatch([rec('key', 'value')], { baseOffset: 0 })
    // record: length, attributes, timestampDelta, offsetDelta, keyLength at byte 65
    batch[BATCH_HEADER_BYTES + 4] = 0x40 // keyLength 32
    expect(corruptError(() => decodeAll(reseal(batch))).message).toMatch(/field of length 32/)
  })

  it('only returns reasons and typed errors on damaged batches whose CRC was recomputed', () => {
    const edits = fc.array(fc.tuple(fc.nat({ max: ten.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
    fc.assert(fc.property(edits, (changes) => {
      const damaged = Buffer.from(ten)
      for (const [at, byte] of changes) damaged[at] = byte
      reseal(damaged)
      const problem = checkBatch(damaged, 0, readBatchHeader(damaged, 0))
      expect(problem === undefined || typeof problem === 'string').toBe(true)
      try {
        decodeAll(damaged)
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptRecordError)
      }
    }), { numRuns: 3000 })
  })
})

describe('compression', () => {
  /** Rewrites a plain batch with its records gzipped, as a Kafka producer with compression.type=gzip would. */
  function gzipped(plain: Buffer): Buffer {
    const block = gzipSync(plain.subarray(BATCH_HEADER_BYTES))
    const batch = Buffer.concat([plain.subarray(0, BATCH_HEADER_BYTES), block])
    batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8)
    batch.writeInt16BE(1, 21)
    return reseal(batch)
  }

  it('inflates gzip batches', () => {
    const plain = encodeBatch([rec('a', 'x'.repeat(500)), rec(null, null, T0 + 1)], { baseOffset: 3 })
    const batch = gzipped(plain)
    expect(batch.length).toBeLessThan(plain.length)
    expect(checkBatch(batch, 0, readBatchHeader(batch, 0))).toBeUndefined()
    expect(decodeAll(batch)).toEqual(decodeAll(plain))
  })

  it('refuses a gzip batch that inflates beyond the cap', () => {
    const header = encodeBatch([rec(null, null)], { baseOffset: 0 }).subarray(0, BATCH_HEADER_BYTES)
    const bomb = Buffer.concat([header, gzipSync(Buffer.alloc(8 * 1024 * 1024))]) // 8 MiB of zeros in ~8 KiB
    bomb.writeInt32BE(bomb.length - LOG_OVERHEAD, 8)
    bomb.writeInt16BE(1, 21)
    reseal(bomb)
    expect(checkBatch(bomb, 0, readBatchHeader(bomb, 0))).toBeUndefined()
    const err = corruptError(() => decodeRecords(bomb, 0, readBatchHeader(bomb, 0), 't', 0, 0, [], 10, 1024 * 1024))
    expect(err.message).toMatch(/inflates beyond 1048576 bytes/)
  })

  it('reports a gzip block that does not inflate', () => {
    const batch = gzipped(encodeBatch([rec('a', 'b')], { baseOffset: 0 }))
    batch.fill(0x55, BATCH_HEADER_BYTES + 10)
    expect(corruptError(() => decodeAll(reseal(batch))).message).toMatch(/gzip block does not inflate/)
  })

  for (const [codec, name] of [[2, 'snappy'], [3, 'lz4'], [4, 'zstd']] as const) {
    it(`names ${name} as unsupported`, () => {
      const batch = encodeBatch([rec('a', 'b')], { baseOffset: 0 })
      batch.writeInt16BE(codec, 21)
      expect(corruptError(() => decodeAll(reseal(batch))).message).toMatch(`compression codec ${name} is not supported`)
    })
  }

  it('reports compression codecs past zstd as unknown', () => {
    const batch = encodeBatch([rec('a', 'b')], { baseOffset: 0 })
    batch.writeInt16BE(5, 21)
    reseal(batch)
    expect(checkBatch(batch, 0, readBatchHeader(batch, 0))).toBe('unknown compression codec 5')
    expect(corruptError(() => decodeAll(batch)).message).toMatch('unknown compression codec 5')
  })
})

describe('setBaseOffset', () => {
  it('moves a batch to new offsets without touching its CRC', () => {
    const batch = encodeBatch([rec('a', '1'), rec('b', '2')], { baseOffset: 0 })
    const crc = batch.readUInt32BE(17)
    setBaseOffset(batch, 0, 2 ** 40)
    const header = readBatchHeader(batch, 0)
    expect([header.baseOffset, header.crc]).toEqual([2 ** 40, crc])
    expect(checkBatch(batch, 0, header)).toBeUndefined()
    expect(decodeAll(batch).map((r) => r.offset)).toEqual([2 ** 40, 2 ** 40 + 1])
  })
})

describe('varints', () => {
  // Kafka's ByteUtilsTest.testVarintSerde / testVarlongSerde encodings (varlong ones within 2^53)
  const int32: ReadonlyArray<readonly [number, string]> = [
    [0, '00'], [-1, '01'], [1, '02'], [63, '7e'], [-64, '7f'], [64, '8001'], [-65, '8101'], [8191, 'fe7f'], [-8192, 'ff7f'],
    [8192, '808001'], [-8193, '818001'], [1048575, 'feff7f'], [-1048576, 'ffff7f'], [1048576, '80808001'],
    [-1048577, '81808001'], [134217727, 'feffff7f'], [-134217728, 'ffffff7f'], [134217728, '8080808001'],
    [-134217729, '8180808001'], [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
  ]
  const int64: ReadonlyArray<readonly [number, string]> = [
    ...int32, [17179869183, 'feffffff7f'], [-17179869184, 'ffffffff7f'], [17179869184, '808080808001'],
    [-17179869185, '818080808001'], [2199023255551, 'feffffffff7f'], [-2199023255552, 'ffffffffff7f'],
    [2199023255552, '80808080808001'], [-2199023255553, '81808080808001'], [281474976710655, 'feffffffffff7f'],
    [-281474976710656, 'ffffffffffff7f'], [281474976710656, '8080808080808001'], [-281474976710657, '8180808080808001'],
  ]

  it('writes and reads int32 varints exactly as Kafka does', () => {
    for (const [value, hex] of int32) {
      const buf = Buffer.alloc(10)
      expect(buf.subarray(0, writeVarint(buf, 0, value)).toString('hex'), String(value)).toBe(hex)
      expect(varintBytes(value)).toBe(hex.length / 2)
      expect(readVarint(Buffer.from(hex, 'hex'), 0, hex.length / 2)).toBe(value)
      expect(cursor).toBe(hex.length / 2)
    }
  })

  it('writes and reads varlongs exactly as Kafka does', () => {
    for (const [value, hex] of int64) {
      const buf = Buffer.alloc(10)
      expect(buf.subarray(0, writeVarlong(buf, 0, value)).toString('hex'), String(value)).toBe(hex)
      expect(varlongBytes(value)).toBe(hex.length / 2)
      expect(readVarlong(Buffer.from(hex, 'hex'), 0, hex.length / 2)).toBe(value)
    }
  })

  it('round-trips every safe integer magnitude as a varlong', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (value) => {
      const buf = Buffer.alloc(10)
      const end = writeVarlong(buf, 0, value)
      expect(end).toBe(varlongBytes(value))
      expect(readVarlong(buf, 0, end)).toBe(value)
    }), { numRuns: 2000 })
  })

  it('refuses a varint of 6 bytes and a varlong of 11, as Kafka does, and reads Long.MAX_VALUE without throwing', () => {
    expect(() => readVarint(Buffer.from('ffffffffff01', 'hex'), 0, 6)).toThrow(MalformedBytes)
    expect(() => readVarlong(Buffer.from('ffffffffffffffffffff01', 'hex'), 0, 11)).toThrow(MalformedBytes)
    expect(readVarlong(Buffer.from('feffffffffffffffff01', 'hex'), 0, 10)).toBeCloseTo(2 ** 63, -5)
    expect(() => readVarint(Buffer.from('8080', 'hex'), 0, 2)).toThrow(MalformedBytes)
  })
})
