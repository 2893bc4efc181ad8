/**
 * The serde contract: a `Serde<T>` turns a `T` into the bytes of a record key or value and back.
 * The log sees only bytes; everything above it is typed through a serde, so a stream of `Order`
 * written with a `Serde<string>` does not compile.
 */
import type { RecordHeader } from '../log/types.js'

/** Where the bytes go to or come from; serdes put it into their errors. */
export interface SerdeContext {
  readonly topic: string
  /** True for the record key, false for the value. */
  readonly isKey: boolean
  readonly headers?: readonly RecordHeader[]
}

/**
 * Turns `T` into bytes and back, synchronously (it runs once per record, on the hot path).
 *
 * A `Serde<number>` is not accepted where a `Serde<string>` is expected. (Being methods,
 * `serialize` parameters are checked bivariantly, as everywhere in TypeScript: a `Serde<'a'>`
 * passes where a `Serde<string>` is expected. The runtime relies on that to use a serde of
 * `NonNullable<V>` for a `V` that may be null, handling the null itself.)
 *
 * Both throw `SerdeError` (code `TRIBUTARY_SERDE`) for a value or bytes they cannot handle; the
 * runtime adds partition and offset and hands the error to the app's handler (fail, skip, or
 * dead-letter).
 *
 * @example
 * const upper: Serde<string> = {
 *   name: 'upper',
 *   serialize: (value) => Buffer.from(value.toUpperCase()),
 *   deserialize: (bytes) => bytes.toString(),
 * }
 */
export interface Serde<T> {
  /** For messages and describe output: `string`, `json`, `avro(com.acme.Order)`, … */
  readonly name: string
  serialize(value: T, context: SerdeContext): Buffer
  deserialize(bytes: Buffer, context: SerdeContext): T
  /**
   * Optional: readies `deserialize(bytes)` to run synchronously. Returns `undefined` when it
   * already can (the fast path: no promise is made), or a promise that settles once what it
   * needs is cached, for example a writer schema fetched from a remote schema registry.
   * The runtime calls it before `deserialize` and awaits only when a promise comes back, so a
   * cache miss costs one await and a hit costs nothing. It never rejects for bad bytes:
   * `deserialize` reports those with their context.
   */
  prepare?(bytes: Buffer, context: SerdeContext): Promise<void> | undefined
}

/**
 * A serde whose value may be `null`, written as a record without bytes (a Kafka tombstone)
 * rather than as some encoding of null. Made by `serdes.nullable(serde)`; the `nullable: true`
 * mark tells the runtime that a record with a null key or value is data for this serde, not an
 * error.
 *
 * @example
 * const names: NullableSerde<string> = serdes.nullable(serdes.string())
 * names.serialize(null, { topic: 'users', isKey: false }) // null: a tombstone
 */
export interface NullableSerde<T> {
  readonly name: string
  readonly nullable: true
  serialize(value: T | null, context: SerdeContext): Buffer | null
  deserialize(bytes: Buffer | null, context: SerdeContext): T | null
  prepare?(bytes: Buffer, context: SerdeContext): Promise<void> | undefined
}
