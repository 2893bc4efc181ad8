import type { AppState } from './app-state.js'

/** The counters the runtime bumps as it goes: plain numbers, cheap on the hot path. */
export interface AppCounters {
  recordsIn: number
  recordsOut: number
  skipped: number
  deadLettered: number
  /** Records too late for every window they fall in (dropped, or copied to a side output). */
  lateRecords: number
  commits: number
}

/** Quantiles of recent samples of a duration, and the count and sum of all of them. */
export interface LatencySummary {
  readonly p50Ms: number
  readonly p99Ms: number
  readonly count: number
  readonly totalMs: number
}

/** One task (sub-topology, partition): records pushed into it and records it sent. */
export interface TaskMetrics {
  readonly task: string
  readonly subTopology: number
  readonly partition: number
  readonly recordsIn: number
  readonly recordsOut: number
}

/** One node of `describe()` in one task: records it took from its inputs and handed on. */
export interface OperatorMetrics {
  readonly task: string
  /** The node's id in `describe()` (`n3`). */
  readonly operator: string
  /** Its operators (`flatMap → filter`), or its topics for a source. */
  readonly name: string
  readonly recordsIn: number
  readonly recordsOut: number
}

/** Records the app's sinks sent to a topic (outputs and repartition topics; not changelogs or dead letters). */
export interface TopicMetrics {
  readonly topic: string
  readonly recordsOut: number
}

/** Records of an input partition past what the app has processed (fetched or not). */
export interface PartitionLag {
  readonly topic: string
  readonly partition: number
  readonly lag: number
}

/** One shard of a store, as last measured (sizes are refreshed about once a second while observed). */
export interface StoreMetrics {
  readonly store: string
  readonly partition: number
  /** The backend's estimate of its keys (key-value stores). */
  readonly keys: number | undefined
  /** Bytes of its files on disk (persistent backends). */
  readonly diskBytes: number | undefined
}

/** A store shard being (or having been) restored from its changelog. */
export interface RestoreMetrics {
  readonly store: string
  readonly partition: number
  readonly restored: number
  readonly total: number
  readonly done: boolean
  readonly elapsedMs: number
}

/** What `app.metrics()` returns: the counters, and a picture of the app now. */
export interface AppMetrics extends AppCounters {
  readonly state: AppState
  /** Records in per second, over the last few seconds. */
  readonly recordsPerSecond: number
  /** A record's time through its task's chain (synchronous part), sampled every 64th record. */
  readonly processLatency: LatencySummary
  /** A commit's time: caches flushed, outputs and offsets committed, stores checkpointed. */
  readonly commitLatency: LatencySummary
  readonly tasks: readonly TaskMetrics[]
  readonly operators: readonly OperatorMetrics[]
  readonly topics: readonly TopicMetrics[]
  readonly lag: readonly PartitionLag[]
  readonly stores: readonly StoreMetrics[]
  /** The store caches together: bytes held of the budget, and lookups answered from a cache. */
  readonly cache: { readonly bytes: number; readonly maxBytes: number; readonly hits: number; readonly misses: number; readonly hitRate: number | undefined }
  readonly restores: readonly RestoreMetrics[]
}

/**
 * The counters as they stand before an app starts.
 *
 * @example
 * const counters = zeroCounters() // { recordsIn: 0, recordsOut: 0, ... }
 */
export function zeroCounters(): AppCounters {
  return { recordsIn: 0, recordsOut: 0, skipped: 0, deadLettered: 0, lateRecords: 0, commits: 0 }
}
