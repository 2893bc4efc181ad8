import { reasonOf, SerdeError } from './errors.js'
import type { Serde, SerdeContext } from './types.js'
import { decodeUtf8 } from './utf8.js'

const NAME = 'string'

/**
 * A UTF-8 string, byte-compatible with Kafka's `StringSerde`, except that bytes which are not
 * valid UTF-8 are a `SerdeError` rather than text with U+FFFD in it.
 *
 * @example
 * const serde = serdes.string()
 * const bytes = serde.serialize('héllo', { topic: 'greetings', isKey: false }) // 68 c3 a9 6c 6c 6f
 * serde.deserialize(bytes, { topic: 'greetings', isKey: false })             // 'héllo'
 *
 * @see json for structured values
 */
export function string(): Serde<string> {
  return {
    name: NAME,
    serialize: (value: string, context: SerdeContext) => {
      if (typeof value !== 'string') throw new SerdeError('serialize', context, NAME, `${typeof value} is not a string`)
      return Buffer.from(value, 'utf8')
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      try {
        return decodeUtf8(bytes)
      } catch (err) {
        throw new SerdeError('deserialize', context, NAME, `not valid UTF-8 (${reasonOf(err)})`, err)
      }
    },
  }
}
