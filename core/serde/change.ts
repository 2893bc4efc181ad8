import { SerdeError } from './errors.js'
import type { Serde } from './types.js'

/**
 * A table update on its way to a regrouped aggregation: the value to take out of the key's
 * aggregate (`old`), the value to put in (`new`), or both when the update stays under one key.
 */
export interface Change<V> {
  readonly old?: V | undefined
  readonly new?: V | undefined
}

const HAS_OLD = 1
const HAS_NEW = 2

/**
 * The bytes of a `Change`: a flags byte (1: old, 2: new), then the old value's length as a
 * 32-bit big-endian number and its bytes, then the new value's bytes. What a table's `groupBy`
 * sends through its repartition topic.
 *
 * @example
 * const updates = change(serdes.float64())
 */
export function change<V>(inner: Serde<V>): Serde<Change<V>> {
  const name = `change(${inner.name})`
  return {
    name,
    serialize(update, context) {
      const old = update.old === undefined ? undefined : inner.serialize(update.old, context)
      const next = update.new === undefined ? undefined : inner.serialize(update.new, context)
      const bytes = Buffer.allocUnsafe(1 + (old === undefined ? 0 : 4 + old.length) + (next?.length ?? 0))
      bytes[0] = (old === undefined ? 0 : HAS_OLD) | (next === undefined ? 0 : HAS_NEW)
      let at = 1
      if (old !== undefined) {
        bytes.writeUInt32BE(old.length, at)
        at += 4 + old.copy(bytes, at + 4)
      }
      next?.copy(bytes, at)
      return bytes
    },
    deserialize(bytes, context) {
      const flags = bytes[0]
      if (flags === undefined || flags > (HAS_OLD | HAS_NEW)) throw new SerdeError('deserialize', context, name, `flags byte ${flags ?? '(none)'} is not a change's (0 to 3)`)
      let at = 1
      let old: V | undefined
      if ((flags & HAS_OLD) !== 0) {
        if (bytes.length < at + 4) throw new SerdeError('deserialize', context, name, `${bytes.length} bytes cannot hold the old value's length`)
        const length = bytes.readUInt32BE(at)
        at += 4
        if (bytes.length < at + length) throw new SerdeError('deserialize', context, name, `the old value's ${length} bytes run past the end (${bytes.length} bytes)`)
        old = inner.deserialize(bytes.subarray(at, at + length), context)
        at += length
      }
      const next = (flags & HAS_NEW) !== 0 ? inner.deserialize(bytes.subarray(at), context) : undefined
      return { old, new: next }
    },
  }
}
