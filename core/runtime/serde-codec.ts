import { SerdeError } from '../serde/errors.js'
import type { NullableSerde, Serde, SerdeContext } from '../serde/types.js'
import type { LogRecord } from '../log/types.js'
import type { SourceNode } from './topology.js'

/** A serde as a source or sink takes it: plain, or one that lets null through. */
export type AnySerde<T> = Serde<T> | NullableSerde<T>

/** The type a serde reads and writes: `T`, or `T | null` for a nullable serde. */
export type SerdeType<S> = S extends NullableSerde<infer T> ? T | null : S extends Serde<infer T> ? T : never

/** Bytes as they are: what a source without a serde yields (keys and values may be null). */
export type RawBytes = Buffer | null

function isNullable<T>(serde: AnySerde<T>): serde is NullableSerde<T> {
  return (serde as { nullable?: boolean }).nullable === true
}

/**
 * Deserializes key or value bytes. Without a serde the bytes pass as they are. A null (no
 * bytes) is data only for a nullable serde; for any other it is a SerdeError that says so.
 */
export function decode(serde: AnySerde<unknown> | undefined, bytes: Buffer | null, context: SerdeContext): unknown {
  if (serde === undefined) return bytes
  if (isNullable(serde)) return serde.deserialize(bytes, context)
  if (bytes === null) {
    throw new SerdeError('deserialize', context, serde.name, `the ${context.isKey ? 'key' : 'value'} is null; declare the serde as serdes.nullable(${serde.name}) to accept nulls`)
  }
  return serde.deserialize(bytes, context)
}

/** Serializes a key or value; without a serde, the value must already be bytes (or null). */
export function encode(serde: AnySerde<unknown> | undefined, value: unknown, context: SerdeContext): Buffer | null {
  if (serde === undefined) {
    if (value === null || value === undefined) return null
    if (Buffer.isBuffer(value)) return value
    if (typeof value === 'string') return Buffer.from(value)
    throw new SerdeError('serialize', context, 'bytes', `a ${typeof value} needs a serde; pass one to to(topic, { ${context.isKey ? 'key' : 'value'}: … })`)
  }
  if (isNullable(serde)) return serde.serialize(value, context)
  if (value === null || value === undefined) return null
  return serde.serialize(value, context)
}

/** The promise to await before `decode` can run synchronously, if the serde needs one. */
export function prepare(serde: AnySerde<unknown> | undefined, bytes: Buffer | null, context: SerdeContext): Promise<void> | undefined {
  if (serde === undefined || bytes === null || serde.prepare === undefined) return undefined
  return serde.prepare(bytes, context)
}

/**
 * Lets a source's serdes ready themselves to deserialize a record synchronously (an Avro serde
 * fetching a writer schema from its registry, once per id). Undefined, the usual case, when
 * nothing needs awaiting, so a record costs no promise.
 */
export function prepareSerdes(source: SourceNode, record: LogRecord): Promise<unknown> | undefined {
  if (source.key?.prepare === undefined && source.value?.prepare === undefined) return undefined
  const key = prepare(source.key, record.key, { topic: record.topic, isKey: true, headers: record.headers })
  const value = prepare(source.value, record.value, { topic: record.topic, isKey: false, headers: record.headers })
  if (key === undefined) return value
  return value === undefined ? key : Promise.all([key, value])
}
