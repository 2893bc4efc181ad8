/**
 * Fixed-width numbers, byte-compatible with Kafka's `IntegerSerde`, `LongSerde` and `DoubleSerde`:
 *
 *   int32    4 bytes, big-endian two's complement
 *   int64    8 bytes, big-endian two's complement, a `bigint` here
 *   float64  8 bytes, big-endian IEEE 754 double
 *
 * A payload of any other length is a `SerdeError`.
 */
import { SerdeError } from './errors.js'
import type { Serde, SerdeContext } from './types.js'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * A 32-bit signed integer as 4 big-endian bytes (Kafka's `IntegerSerde`). Serializing a number
 * that is not an integer in [-2^31, 2^31 - 1] is a `SerdeError`, never a silent truncation.
 *
 * @example
 * serdes.int32().serialize(258, { topic: 'counts', isKey: true }) // <Buffer 00 00 01 02>
 *
 * @see int64
 */
export function int32(): Serde<number> {
  const name = 'int32'
  return {
    name,
    serialize: (value: number, context: SerdeContext) => {
      if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
        throw new SerdeError('serialize', context, name, `${value} is not a 32-bit integer`)
      }
      const bytes = Buffer.allocUnsafe(4)
      bytes.writeInt32BE(value, 0)
      return bytes
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      expectLength(bytes, 4, context, name)
      return bytes.readInt32BE(0)
    },
  }
}

/**
 * A 64-bit signed integer as 8 big-endian bytes (Kafka's `LongSerde`), as a `bigint`: a Java
 * `long` from another producer (an id, a hash, a nanosecond time) can be any 64-bit value, and a
 * `number` would silently lose the low digits past 2^53. Convert with `Number(x)` where you know
 * the range is safe.
 *
 * @example
 * const serde = serdes.int64()
 * serde.serialize(2n ** 40n, { topic: 'ids', isKey: true })                  // <Buffer 00 00 01 00 00 00 00 00>
 * serde.deserialize(Buffer.alloc(8, 0xff), { topic: 'ids', isKey: true })  // -1n
 *
 * @see int32
 */
export function int64(): Serde<bigint> {
  const name = 'int64'
  return {
    name,
    serialize: (value: bigint, context: SerdeContext) => {
      if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) {
        throw new SerdeError('serialize', context, name, `${String(value)} is not a 64-bit integer (a bigint)`)
      }
      const bytes = Buffer.allocUnsafe(8)
      bytes.writeBigInt64BE(value, 0)
      return bytes
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      expectLength(bytes, 8, context, name)
      return bytes.readBigInt64BE(0)
    },
  }
}

/**
 * A double as 8 big-endian IEEE 754 bytes (Kafka's `DoubleSerde`). Every number round-trips,
 * `NaN`, `-0` and the infinities included.
 *
 * @example
 * serdes.float64().serialize(1.5, { topic: 'prices', isKey: false }) // <Buffer 3f f8 00 00 00 00 00 00>
 *
 * @see int64
 */
export function float64(): Serde<number> {
  const name = 'float64'
  return {
    name,
    serialize: (value: number, context: SerdeContext) => {
      if (typeof value !== 'number') throw new SerdeError('serialize', context, name, `${typeof value} is not a number`)
      const bytes = Buffer.allocUnsafe(8)
      bytes.writeDoubleBE(value, 0)
      return bytes
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      expectLength(bytes, 8, context, name)
      return bytes.readDoubleBE(0)
    },
  }
}

function expectLength(bytes: Buffer, lengthBytes: number, context: SerdeContext, name: string): void {
  if (bytes.length !== lengthBytes) {
    throw new SerdeError('deserialize', context, name, `expected ${lengthBytes} bytes, got ${bytes.length}`)
  }
}
