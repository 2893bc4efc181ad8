import { readInt64, writeInt64 } from '../log/engine/varint.js'
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
      const { start, end } = value.window
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
        throw new SerdeError('serialize', context, `windowed(${inner.name})`, `a window's start and end must be integers of milliseconds, got [${start}, ${end})`)
      }
      const key = inner.serialize(value.key, context)
      const bytes = Buffer.allocUnsafe(key.length + TIMES)
      key.copy(bytes, 0)
      writeInt64(bytes, key.length, start)
      writeInt64(bytes, key.length + 8, end)
      return bytes
    },
    deserialize(bytes, context) {
      if (bytes.length < TIMES) throw new SerdeError('deserialize', context, `windowed(${inner.name})`, `${bytes.length} bytes cannot hold a window's start and end (16 bytes)`)
      const at = bytes.length - TIMES
      return { key: inner.deserialize(bytes.subarray(0, at), context), window: { start: readInt64(bytes, at), end: readInt64(bytes, at + 8) } }
    },
  }
}
