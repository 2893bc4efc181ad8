import type { Duration } from '../../core/time/duration.js'
import type { Serde } from '../../core/serde/types.js'
import type { SerdeName, SinkConnector, SourceConnector } from '../api/types.js'
import type { ConfigSchema } from '../api/config-schema.js'

/** A serde for a connector's records: a serde name (`json`, `string`, `bytes`), `{ avro: schema }`, or a Serde (in code). */
export type SerdeSpec<T = unknown> = SerdeName | { readonly avro: object } | Serde<T>

/** How the runner retries a failing poll, put or flush: exponential backoff, doubling from `initialDelay` up to `maxDelay`, `max` times. */
export interface RetrySpec {
  /** Retries before the connector stops with the error. Default 10; 0 fails at once. */
  readonly max?: number
  /** Default 100 ms. */
  readonly initialDelay?: Duration
  /** Default 10 s. */
  readonly maxDelay?: Duration
}

interface CommonSpec {
  /** Names the connector: its stored offsets (sources), its consumer group `connect-<name>` (sinks), its metrics. */
  readonly name: string
  /** The plugin's settings, checked against its config schema at start. */
  readonly config?: unknown
  /** Serdes of the records' keys and values. Default: what the connector declares, else key `string`, value `json`. */
  readonly key?: SerdeSpec
  readonly value?: SerdeSpec
  /**
   * Where records that cannot be converted or written go, with the error in their headers
   * (`tributary.error.code`, `tributary.error.message`, provenance headers). Without one, such a
   * record stops the connector with its error.
   */
  readonly deadLetterTopic?: string
  readonly retries?: RetrySpec
  /** How often offsets are committed (sources: stored; sinks: flushed, then consumer offsets committed). Default 1 s. */
  readonly commitInterval?: Duration
}

/** A source connector to run: what it reads is in `config`; where it writes is `topic`. */
export interface SourceSpec<S extends ConfigSchema = ConfigSchema, K = unknown, V = unknown> extends CommonSpec {
  readonly connector: SourceConnector<S, K, V>
  /** The topic records go to unless a record names its own. Created (1 partition) when missing. */
  readonly topic: string
  /** Under `exactly_once`, each batch's records and its offsets commit in one transaction. Default `at_least_once`. */
  readonly processing?: 'at_least_once' | 'exactly_once'
  /** Partitions of the topics the runner creates for it when they are missing. Default 1. */
  readonly partitions?: number
}

/** A sink connector to run: it reads `topics` as consumer group `connect-<name>`. */
export interface SinkSpec<S extends ConfigSchema = ConfigSchema, K = unknown, V = unknown> extends CommonSpec {
  readonly connector: SinkConnector<S, K, V>
  readonly topics: readonly string[]
  /** Records per `put`. Default 1,000. */
  readonly batchSize?: number
}

export type ConnectorSpec = SourceSpec<ConfigSchema, never, never> | SinkSpec<ConfigSchema, never, never>

/** Counters of one running connector. */
export interface ConnectorRunnerMetrics {
  /** Records written to the log (sources) or put to the sink (sinks). */
  records: number
  /** Records (or rejected inputs) sent to the dead-letter topic. */
  deadLettered: number
  /** Retries of a failed poll, put or flush. */
  retries: number
  /** Offset commits. */
  commits: number
  /** The connector's own counters and gauges (`context.metrics`). */
  custom: Record<string, number>
  /** Sinks: records of each assigned partition not yet read, as the consumer knows. */
  lag?: { readonly topic: string; readonly partition: number; readonly lag: number }[]
}
