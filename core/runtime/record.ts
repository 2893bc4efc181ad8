import type { LogRecord, RecordHeader } from '../log/types.js'

/**
 * One record flowing through a pipeline: its key and value (typed by the serdes), its
 * timestamp (event time), headers, and where it came from (topic, partition, offset of the
 * input record that caused it).
 */
export interface StreamRecord<K, V> {
  readonly key: K
  readonly value: V
  /** Event time: milliseconds since the epoch. */
  readonly timestamp: number
  readonly headers: readonly RecordHeader[]
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** The key type of a StreamRecord type. */
export type KeyOf<R> = R extends StreamRecord<infer K, unknown> ? K : never
/** The value type of a StreamRecord type. */
export type ValueOf<R> = R extends StreamRecord<unknown, infer V> ? V : never

/**
 * Where a record came from, for the commit invariant: an input offset is committed only once
 * every record derived from it is written. Records carry it under a symbol, which object
 * spread (`{ ...record, value }`) copies, so derived records keep their origin.
 */
export interface Origin {
  /** `topic:partition` of the input record. */
  readonly partitionKey: string
  readonly offset: number
  /** The input record as read (its original bytes go to a dead-letter topic). */
  readonly input: LogRecord
  /**
   * The task's stream time once it had taken the input record: what an operator judges the
   * lateness of a derived record against, however late async work upstream (a join's store
   * reads) hands it on, as if the record had gone through the pipeline at once.
   */
  streamTime: number
}

export const ORIGIN: unique symbol = Symbol('tributary.origin')

/** A record with its origin attached (what the runtime pushes into a pipeline). */
export type TrackedRecord<K, V> = StreamRecord<K, V> & { readonly [ORIGIN]?: Origin }

/** The origin of a record, when it still carries one. */
export function originOf(record: unknown): Origin | undefined {
  return typeof record === 'object' && record !== null ? (record as { [ORIGIN]?: Origin })[ORIGIN] : undefined
}
