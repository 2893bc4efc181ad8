/**
 * Kafka's key partitioner: the same key lands on the same partition here as from a Java, librdkafka
 * or kafkajs (Java-compatible) producer, so co-partitioned topics stay co-partitioned across clients.
 */

const SEED = 0x9747b28c
const M = 0x5bd1e995

/**
 * Kafka's murmur2 (seed 0x9747b28c) as a signed 32-bit int, identical to
 * org.apache.kafka.common.utils.Utils.murmur2: 4-byte little-endian blocks, then a 1-3 byte tail.
 *
 * @example
 * murmur2(Buffer.from('21')) // -973932308
 */
export function murmur2(data: Buffer): number {
  const length = data.length
  let h = SEED ^ length
  const blockEnd = length - (length & 3)
  for (let i = 0; i < blockEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  // The tail, as Java's falling-through switch: byte 3, then 2, then 1, each xored in unsigned (& 0xff).
  const tail = length & 3
  if (tail === 3) h ^= data[blockEnd + 2]! << 16
  if (tail >= 2) h ^= data[blockEnd + 1]! << 8
  if (tail >= 1) h = Math.imul(h ^ data[blockEnd]!, M)
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/**
 * The partition Kafka's default partitioner picks for a non-null key: toPositive(murmur2(key)) % numPartitions,
 * where toPositive clears the sign bit (x & 0x7fffffff), not Math.abs, exactly as Kafka does.
 *
 * @example
 * partitionForKey(Buffer.from('abc'), 1000) // 107
 */
export function partitionForKey(key: Buffer, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`partitionForKey: numPartitions must be a positive integer, got ${numPartitions}`)
  }
  return (murmur2(key) & 0x7fffffff) % numPartitions
}
