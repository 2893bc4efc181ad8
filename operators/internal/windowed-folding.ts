import type { StreamRecord } from '../../core/runtime/record.js'

/** What every windowed aggregation folds with, and where its late records go. */
export interface WindowedFolding<K, V, A> {
  readonly initializer: () => A
  readonly aggregator: (key: K, value: V, aggregate: A) => A
  /** A topic for records too late for their windows; by default they are dropped (and counted). */
  readonly lateRecords?: string | undefined
}

/** A record waiting its turn in a windowed aggregation, with the stream time it arrived at (what decides whether it is late). */
export interface TimedRecord<K, V> {
  readonly record: StreamRecord<K, V>
  readonly streamTime: number
}
