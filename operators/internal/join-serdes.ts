/**
 * Serdes of a stream-stream join's stores.
 *
 *   ValueList => count uint32, then count × (length uint32, bytes)   every value of one key and timestamp
 *   UnmatchedKey => side uint8 (0 left, 1 right), timestamp int64 (time-encoded), key bytes
 *   UnmatchedValues => side uint8, ValueList (with that side's value serde)
 */
import { SerdeError } from '../../core/serde/errors.js'
import type { Serde, SerdeContext } from '../../core/serde/types.js'
import type { JoinSide } from '../../core/runtime/join-windows.js'
import { readTime, TIME_BYTES, writeTime } from '../../state/time-bytes.js'

/** A record of a join that found no match yet, as the unmatched store keys it. */
export interface UnmatchedKey<K> {
  readonly side: JoinSide
  readonly timestamp: number
  readonly key: K
}

/** The values of the unmatched records of one side, key and timestamp. */
export interface UnmatchedValues {
  readonly side: JoinSide
  readonly values: readonly unknown[]
}

/**
 * The values of one key and timestamp, as a join's window store keeps them (two records of a
 * stream may share both).
 *
 * @example
 * valueList(serdes.string()).serialize(['a', 'b'], context) // 00000002 00000001 61 00000001 62
 */
export function valueList<V>(inner: Serde<V>): Serde<readonly V[]> {
  const name = `list(${inner.name})`
  return {
    name,
    serialize(values, context) {
      const parts = values.map((value) => inner.serialize(value, context))
      const bytes = Buffer.allocUnsafe(parts.reduce((total, part) => total + 4 + part.length, 4))
      bytes.writeUInt32BE(parts.length, 0)
      let at = 4
      for (const part of parts) {
        bytes.writeUInt32BE(part.length, at)
        part.copy(bytes, at + 4)
        at += 4 + part.length
      }
      return bytes
    },
    deserialize(bytes, context) {
      const values: V[] = []
      const count = readLength(bytes, 0, name, context)
      let at = 4
      for (let index = 0; index < count; index++) {
        const length = readLength(bytes, at, name, context)
        if (at + 4 + length > bytes.length) throw new SerdeError('deserialize', context, name, `value ${index} runs past the end (${bytes.length} bytes)`)
        values.push(inner.deserialize(bytes.subarray(at + 4, at + 4 + length), context))
        at += 4 + length
      }
      return values
    },
  }
}

/**
 * The key of the unmatched-records store: side, timestamp, then the record key's bytes.
 *
 * @example
 * unmatchedKey(serdes.string()).serialize({ side: 'left', timestamp: 5, key: 'a' }, context)
 */
export function unmatchedKey<K>(key: Serde<K>): Serde<UnmatchedKey<K>> {
  const name = `unmatched(${key.name})`
  return {
    name,
    serialize(value, context) {
      const keyBytes = key.serialize(value.key, context)
      const bytes = Buffer.allocUnsafe(1 + TIME_BYTES + keyBytes.length)
      bytes[0] = value.side === 'left' ? 0 : 1
      writeTime(bytes, value.timestamp, 1)
      keyBytes.copy(bytes, 1 + TIME_BYTES)
      return bytes
    },
    deserialize(bytes, context) {
      if (bytes.length < 1 + TIME_BYTES) throw new SerdeError('deserialize', context, name, `${bytes.length} bytes cannot hold a side and a timestamp (9 bytes)`)
      return { side: sideOf(bytes[0]!, name, context), timestamp: readTime(bytes, 1), key: key.deserialize(bytes.subarray(1 + TIME_BYTES), context) }
    },
  }
}

/**
 * The values of the unmatched-records store, each side with its own value serde.
 *
 * @example
 * unmatchedValues(serdes.string(), serdes.float64()).serialize({ side: 'right', values: [2.5] }, context)
 */
export function unmatchedValues(left: Serde<unknown>, right: Serde<unknown>): Serde<UnmatchedValues> {
  const lists = { left: valueList(left), right: valueList(right) }
  const name = `unmatched(${left.name}, ${right.name})`
  return {
    name,
    serialize(value, context) {
      return Buffer.concat([Buffer.from([value.side === 'left' ? 0 : 1]), lists[value.side].serialize(value.values, context)])
    },
    deserialize(bytes, context) {
      if (bytes.length < 1) throw new SerdeError('deserialize', context, name, 'no bytes where a side was expected')
      const side = sideOf(bytes[0]!, name, context)
      return { side, values: lists[side].deserialize(bytes.subarray(1), context) }
    },
  }
}

function readLength(bytes: Buffer, at: number, name: string, context: SerdeContext): number {
  if (at + 4 > bytes.length) throw new SerdeError('deserialize', context, name, `${bytes.length} bytes end where a length was expected at byte ${at}`)
  return bytes.readUInt32BE(at)
}

function sideOf(byte: number, name: string, context: SerdeContext): JoinSide {
  if (byte === 0) return 'left'
  if (byte === 1) return 'right'
  throw new SerdeError('deserialize', context, name, `side byte ${byte} is neither 0 (left) nor 1 (right)`)
}
