import type { NullableSerde, Serde, SerdeContext } from './types.js'

/**
 * Lets `null` through as a record without bytes (a Kafka tombstone), and hands everything else
 * to `serde`. Use it for table topics, where a null value deletes the key, and for optional
 * keys. Without it, a null key or value is not data for the serde and the runtime treats it as
 * the topic's kind says (a tombstone for a table, an error for a stream).
 *
 * @example
 * const users = serdes.nullable(serdes.json<User>())
 * users.serialize(null, { topic: 'users', isKey: false })               // null
 * users.deserialize(null, { topic: 'users', isKey: false })             // null
 * users.deserialize(Buffer.from('{"name":"ada"}'), { topic: 'users', isKey: false }) // { name: 'ada' }
 *
 * @see Serde
 */
export function nullable<T>(serde: Serde<T>): NullableSerde<T> {
  const base = {
    name: `nullable(${serde.name})`,
    nullable: true as const,
    serialize: (value: T | null, context: SerdeContext) => (value === null ? null : serde.serialize(value, context)),
    deserialize: (bytes: Buffer | null, context: SerdeContext) => (bytes === null ? null : serde.deserialize(bytes, context)),
  }
  if (serde.prepare === undefined) return base
  return { ...base, prepare: (bytes: Buffer, context: SerdeContext) => serde.prepare?.(bytes, context) }
}
