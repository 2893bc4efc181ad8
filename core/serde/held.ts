import { readInt64, writeInt64 } from '../log/engine/varint.js'
import { SerdeError } from './errors.js'
import type { Serde } from './types.js'

/**
 * A value with the timestamp of the record that brought it: 8 bytes of big-endian
 * milliseconds, then the value's bytes. What `suppress` keeps in its buffer store.
 *
 * @example
 * const buffer = held(serdes.float64())
 */
export function held<V>(inner: Serde<V>): Serde<{ readonly value: V; readonly timestamp: number }> {
  return {
    name: `held(${inner.name})`,
    serialize(held, context) {
      if (!Number.isSafeInteger(held.timestamp)) throw new SerdeError('serialize', context, `held(${inner.name})`, `a timestamp must be an integer of milliseconds, got ${held.timestamp}`)
      const value = inner.serialize(held.value, context)
      const bytes = Buffer.allocUnsafe(8 + value.length)
      writeInt64(bytes, 0, held.timestamp)
      value.copy(bytes, 8)
      return bytes
    },
    deserialize(bytes, context) {
      if (bytes.length < 8) throw new SerdeError('deserialize', context, `held(${inner.name})`, `${bytes.length} bytes cannot hold a timestamp (8 bytes)`)
      return { timestamp: readInt64(bytes, 0), value: inner.deserialize(bytes.subarray(8), context) }
    },
  }
}
