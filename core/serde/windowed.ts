import { SerdeError } from './errors.js'
import type { Serde } from './types.js'
import type { Windowed } from '../time/windows.js'

const TIMES = 16

/**
 * A serde of windowed keys (the keys of windowed aggregations): the inner key's bytes, then
 * the window's start and end as 8-byte big-endian milliseconds.
 *
 * @example
 * counts.toStream().to('counts-per-minute', { key: serdes.windowed(serdes.string()), value: serdes.float64() })
 */
export function windowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    name: `windowed(${inner.name})`,
    serialize(value, context) {
      const key = inner.serialize(value.key, context)
      const bytes = Buffer.allocUnsafe(key.length + TIMES)
      key.copy(bytes, 0)
      bytes.writeBigInt64BE(BigInt(value.window.start), key.length)
      bytes.writeBigInt64BE(BigInt(value.window.end), key.length + 8)
      return bytes
    },
    deserialize(bytes, context) {
      if (bytes.length < TIMES) throw new SerdeError('deserialize', context, `windowed(${inner.name})`, `${bytes.length} bytes cannot hold a window's start and end (16 bytes)`)
      const at = bytes.length - TIMES
      return { key: inner.deserialize(bytes.subarray(0, at), context), window: { start: Number(bytes.readBigInt64BE(at)), end: Number(bytes.readBigInt64BE(at + 8)) } }
    },
  }
}
