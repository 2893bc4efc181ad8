import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../../core/log/partitioner.js'

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8')

describe('murmur2', () => {
  it('matches the vectors of Kafka’s UtilsTest.testMurmur2', () => {
    const cases: ReadonlyArray<readonly [Buffer, number]> = [
      [bytes('21'), -973932308],
      [bytes('foobar'), -790332482],
      [bytes('a-little-bit-long-string'), -985981536],
      [bytes('a-little-bit-longer-string'), -1486304829],
      [bytes('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
      [Buffer.from([0x61, 0x62, 0x63]), 479470107],
    ]
    for (const [key, expected] of cases) expect(murmur2(key), key.toString()).toBe(expected)
  })

  it('matches the Java-generated vectors of kafkajs’s Java-compatible partitioner', () => {
    // kafkajs src/producer/partitioners/defaultJava/murmur2.spec.js, generated with Kafka's Utils.murmur2
    const cases: ReadonlyArray<readonly [string, number]> = [
      ['0', 971027396], ['1', -1993445489], ['128', -326012175], ['2187', -1508407203],
      ['16384', -325739742], ['78125', -1654490814], ['279936', 1462227128], ['823543', -2014198330],
      ['2097152', 607668903], ['4782969', -1182699775], ['10000000', -1830336757], ['19487171', -1603849305],
      ['35831808', -857013643], ['62748517', -1167431028], ['105413504', -381294639],
      ['170859375', -1658323481], ['100:48069', 1009543857],
    ]
    for (const [key, expected] of cases) expect(murmur2(bytes(key)), key).toBe(expected)
  })

  it('matches librdkafka’s Java-checked vectors, every tail length and the empty key included', () => {
    // librdkafka src/rdmurmur2.c unittest_murmur2 (values as the signed int32 of the hex constants)
    const cases: ReadonlyArray<readonly [string, number]> = [
      ['kafka', 0xd067cf64], ['giberish123456789', 0x8f552b0c],
      ['1234', 0x9fc97b14], ['234', 0xe7c009ca], ['34', 0x873930da], ['4', 0x5a4b5ca1],
      ['PreAmbleWillBeRemoved,ThePrePartThatIs', 0x78424f1c], ['reAmbleWillBeRemoved,ThePrePartThatIs', 0x4a62b377],
      ['eAmbleWillBeRemoved,ThePrePartThatIs', 0xe0e4e09e], ['AmbleWillBeRemoved,ThePrePartThatIs', 0x62b8b43f],
      ['', 0x106e08d9],
    ]
    for (const [key, expected] of cases) expect(murmur2(bytes(key)), key).toBe(expected | 0)
  })

  it('hashes a subarray by its own bytes, not by its position in the parent buffer', () => {
    const parent = bytes('xx21yy')
    expect(murmur2(parent.subarray(2, 4))).toBe(-973932308)
  })
})

describe('partitionForKey', () => {
  it('matches Kafka’s partitioner for 1000 partitions (kafka-python’s Java compatibility vectors)', () => {
    // kafka-python test/test_partitioner.py, compared there with Kafka's Java partitioner
    const cases: ReadonlyArray<readonly [Buffer, number]> = [
      [bytes(''), 681], [bytes('a'), 524], [bytes('ab'), 434], [bytes('abc'), 107],
      [bytes('123456789'), 566], [Buffer.from([0x00, 0x20]), 742],
    ]
    for (const [key, expected] of cases) expect(partitionForKey(key, 1000), JSON.stringify(key.toString())).toBe(expected)
  })

  it('matches librdkafka’s murmur2 partitioner test for 17 partitions', () => {
    // librdkafka tests/0048-partitioner.c: expected toPositive(murmur2) values from Kafka's Java client
    const cases: ReadonlyArray<readonly [string, number]> = [
      ['', 0x106e08d9],
      ['23456', 0x058d780f],
      ['this is another string with more length to it perhaps', 0x4f7703da],
      ['hejsan', 0x5ec19395],
    ]
    for (const [key, positiveHash] of cases) {
      expect(partitionForKey(bytes(key), 17), key).toBe(positiveHash % 17)
      expect(partitionForKey(bytes(key), 7), key).toBe(positiveHash % 7)
    }
  })

  it('clears the sign bit rather than taking the absolute value', () => {
    const key = bytes('21') // murmur2 is -973932308
    expect(partitionForKey(key, 2147483647)).toBe(-973932308 & 0x7fffffff)
    expect(partitionForKey(key, 2147483647)).not.toBe(973932308)
  })

  it('puts every key on partition 0 of a one-partition topic', () => {
    for (const key of ['', 'a', 'kafka', 'giberish123456789']) expect(partitionForKey(bytes(key), 1)).toBe(0)
  })

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionForKey(bytes('a'), 0)).toThrow(RangeError)
    expect(() => partitionForKey(bytes('a'), -3)).toThrow(RangeError)
    expect(() => partitionForKey(bytes('a'), 2.5)).toThrow(RangeError)
  })
})
