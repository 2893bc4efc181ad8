import { SerdeError } from './errors.js'
import type { Serde, SerdeContext } from './types.js'

/**
 * The bytes as they are, for keys and values the app handles itself (Kafka's `ByteArraySerde`).
 * Nothing is copied: `deserialize` returns the record's own buffer, so copy it before mutating.
 * Any bytes deserialize; serializing something other than a Buffer is a `SerdeError`.
 *
 * @example
 * const serde = serdes.bytes()
 * serde.deserialize(Buffer.from([1, 2, 3]), { topic: 'raw', isKey: false }) // <Buffer 01 02 03>
 *
 * @see string
 */
export function bytes(): Serde<Buffer> {
  return {
    name: 'bytes',
    serialize: (value: Buffer, context: SerdeContext) => {
      if (!Buffer.isBuffer(value)) throw new SerdeError('serialize', context, 'bytes', `${typeof value} is not a Buffer`)
      return value
    },
    deserialize: (bytes: Buffer) => bytes,
  }
}
