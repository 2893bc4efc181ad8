import type { Clock } from '../../core/clock.js'
import type { RecordHeader } from '../../core/log/types.js'
import type { Serde } from '../../core/serde/types.js'
import type { ConfigOf, ConfigSchema } from './config-schema.js'

/** Where a source reads from, as the source names it: `{ file: '/var/log/a.jsonl' }`, `{ table: 'orders' }`. */
export type SourcePartition = Readonly<Record<string, string | number>>

/** How far a source has read a partition: `{ position: 18231 }`, `{ id: 4411, updatedAt: '…' }`. JSON values. */
export type SourceOffset = Readonly<Record<string, string | number | boolean | null>>

/** A record a source produces, typed; the runner serializes it with the connector's serdes. */
export interface SourceRecord<K = unknown, V = unknown> {
  /** Defaults to the connector's `topic`. */
  readonly topic?: string
  /** Defaults to the partition of the key (murmur2), or spread when the key is null. */
  readonly partition?: number
  readonly key?: K | null
  readonly value: V | null
  readonly headers?: readonly RecordHeader[]
  /** Milliseconds since the epoch; defaults to now. */
  readonly timestamp?: number
}

/** Input a source could not turn into a record (a malformed line): it goes to the dead-letter topic with the error. */
export interface RejectedInput {
  readonly input: Buffer | string
  readonly error: Error
  /** Where the input was, for the dead-letter headers: `/data/in.jsonl:1823`. */
  readonly location?: string
}

/**
 * What one `poll` returns: records, the inputs it rejected, and where the source stands after
 * them per source partition. The runner writes the records, then stores the offsets in the log
 * (in the same transaction under exactly-once), so a restarted source resumes after them.
 */
export interface SourceBatch<K = unknown, V = unknown> {
  readonly records: readonly SourceRecord<K, V>[]
  readonly rejected?: readonly RejectedInput[]
  readonly offsets?: readonly { readonly partition: SourcePartition; readonly offset: SourceOffset }[]
}

/** A record a sink receives: as read from the log, key and value deserialized by the connector's serdes. */
export interface SinkRecord<K = unknown, V = unknown> {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly key: K | null
  readonly value: V | null
  readonly headers: readonly RecordHeader[]
}

/** Structured log lines of one connector. Messages pass through redaction of the config's secrets. */
export interface ConnectorLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void
  info(message: string, fields?: Readonly<Record<string, unknown>>): void
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void
  error(message: string, fields?: Readonly<Record<string, unknown>>): void
}

/** A connector's own counters and gauges, reported with the runner's. */
export interface ConnectorMetrics {
  /** Adds to a counter (created at 0 on first use). */
  count(name: string, by?: number): void
  /** Sets a gauge. */
  gauge(name: string, value: number): void
}

/** What every connector gets from the runner. */
export interface ConnectorContext<K = unknown, V = unknown> {
  /** The connector's name in its config: names its offsets, consumer group and metrics. */
  readonly name: string
  readonly logger: ConnectorLogger
  readonly metrics: ConnectorMetrics
  readonly clock: Clock
  /** Aborted when the runner stops the connector: end waits and long calls early. */
  readonly signal: AbortSignal
  /** The serdes the runner writes (sources) or reads (sinks) records with. */
  readonly serdes: { readonly key: Serde<K>; readonly value: Serde<V> }
}

export interface SourceContext<K = unknown, V = unknown> extends ConnectorContext<K, V> {
  /** The stored offset of a source partition: where a restarted source resumes. Undefined when it never read it. */
  offset(partition: SourcePartition): SourceOffset | undefined
  /** Every stored offset of this connector. */
  offsets(): readonly { readonly partition: SourcePartition; readonly offset: SourceOffset }[]
  /** How long `poll` should wait for input when it has none, in ms, before returning an empty batch. */
  readonly pollTimeoutMs: number
}

export interface SinkContext<K = unknown, V = unknown> extends ConnectorContext<K, V> {
  /**
   * Hands a record the target refused (a row the database rejects) to the runner: it goes to
   * the dead-letter topic with the error in its headers, or stops the connector with the error
   * when none is configured. The rest of the batch flows on.
   */
  deadLetter(record: SinkRecord<K, V>, error: Error): Promise<void>
}

/** A running source: the runner calls `poll` in a loop, `commit` after what it returned is stored, `stop` once. */
export interface SourceTask<K = unknown, V = unknown> {
  /** The next records, or an empty batch after waiting up to `context.pollTimeoutMs` for input. */
  poll(): Promise<SourceBatch<K, V>>
  /** The records of every batch polled so far are durable in the log and their offsets stored. */
  commit?(): Promise<void>
  /** Releases what the task holds (files, sockets, connections). */
  stop?(): Promise<void>
}

/** A running sink: `put` batches, `flush` before each commit, `stop` once. */
export interface SinkTask<K = unknown, V = unknown> {
  /** Writes a batch, or buffers it until `flush`. Throw a retriable error (`retriable: true`) to have the runner retry it. */
  put(records: readonly SinkRecord<K, V>[]): Promise<void>
  /** Makes every record put so far durable in the target; the runner commits the input offsets only after it resolves. */
  flush(): Promise<void>
  stop?(): Promise<void>
}

/** The serde a connector's records use when its config names none: a serde name of the runner's (`json`, `string`, `bytes`). */
export type SerdeName = 'json' | 'string' | 'bytes'

interface Definition<S extends ConfigSchema> {
  /** A short name: `file`, `postgres`, `acme-s3`. */
  readonly name: string
  /** One line on what it moves, for `describe`. */
  readonly description?: string
  readonly config: S
  /** Serdes used when the connector's config gives none. Default: key `string`, value `json`. */
  readonly serdes?: { readonly key?: SerdeName; readonly value?: SerdeName }
}

/** A source connector: made by `defineSource`, exported by a plugin package. */
export interface SourceConnector<S extends ConfigSchema = ConfigSchema, K = unknown, V = unknown> extends Definition<S> {
  readonly kind: 'source'
  start(config: ConfigOf<S>, context: SourceContext<K, V>): Promise<SourceTask<K, V>>
}

/** A sink connector: made by `defineSink`, exported by a plugin package. */
export interface SinkConnector<S extends ConfigSchema = ConfigSchema, K = unknown, V = unknown> extends Definition<S> {
  readonly kind: 'sink'
  start(config: ConfigOf<S>, context: SinkContext<K, V>): Promise<SinkTask<K, V>>
}

export type Connector = SourceConnector<ConfigSchema, never, never> | SinkConnector<ConfigSchema, never, never>
