/**
 * The most disk the embedded log may take under its topics' retention and compaction settings,
 * computed from each topic's config and the rate at which it was written. The soak compares the
 * largest log directory it saw with this bound.
 *
 * Per partition, with `inflow` = the bytes the partition takes in two maintenance intervals (a
 * segment can fill just after a run and waits for the next one):
 * - `delete` topics: by size, `retentionBytes + segmentBytes + inflow` (retention deletes the oldest
 *   segment while the rest alone reach `retentionBytes`, so one segment more may stay); by time,
 *   the bytes written in `retentionMs` + `segmentBytes + inflow` (a segment goes once its newest
 *   record is older than `retentionMs`). The smaller of the two.
 * - `compact` topics: the live data (one record per key plus a batch header each, as compaction
 *   may leave one record per batch), plus the active segment and the one sealed since the last
 *   run (`2 × segmentBytes`), plus `inflow`. Topics whose key count is unknown (the log's internal
 *   topics, the app's topology topic) get 1 MiB of live data.
 * And never more than all that was written to the partition. Every partition also gets 5 % and 64 KiB for its index, snapshot and checkpoint files.
 *
 * @example
 * const bytes = retentionBoundBytes([{ name: 'in', config, recordsAppended: 1e6, bytesPerRecord: 150 }], { maintenanceIntervalMs: 10_000, runSeconds: 120 })
 */
import type { ResolvedTopicConfig } from '../../core/log/types.js'

/** A record batch's header (Kafka's RecordBatch v2: 61 bytes). */
const BATCH_HEADER_BYTES = 61
const UNKNOWN_LIVE_BYTES = 1024 * 1024
const FILES_SLACK_FACTOR = 1.05
const FILES_SLACK_BYTES = 64 * 1024

/** What the bound needs to know of one topic. */
export interface TopicFlow {
  readonly name: string
  readonly config: ResolvedTopicConfig
  /** Records appended over the run, all partitions together (the summed end offsets). */
  readonly recordsAppended: number
  /** Bytes a record takes on disk, batch overhead included (as measured before any cleanup). */
  readonly bytesPerRecord: number
  /** Distinct keys, for a compacted topic whose keys are known. */
  readonly distinctKeys?: number
}

/** How the log was run. */
export interface RunShape {
  readonly maintenanceIntervalMs: number
  readonly runSeconds: number
}

/**
 * The bound in bytes for all the given topics together.
 *
 * @example
 * retentionBoundBytes(flows, { maintenanceIntervalMs: 10_000, runSeconds: 120 }) / 1e6 // MB
 */
export function retentionBoundBytes(topics: readonly TopicFlow[], run: RunShape): number {
  let total = 0
  for (const topic of topics) total += topic.config.partitions * partitionBoundBytes(topic, run)
  return total
}

/**
 * The bound for one partition of a topic (its records spread evenly over partitions).
 *
 * @example
 * partitionBoundBytes({ name: 'in', config, recordsAppended: 1e6, bytesPerRecord: 150 }, { maintenanceIntervalMs: 10_000, runSeconds: 120 })
 */
export function partitionBoundBytes(topic: TopicFlow, run: RunShape): number {
  const { config } = topic
  const bytesPerSecond = (topic.recordsAppended / config.partitions / Math.max(run.runSeconds, 1)) * topic.bytesPerRecord
  const inflow = bytesPerSecond * ((2 * run.maintenanceIntervalMs) / 1000)
  let data: number
  if (config.cleanup === 'delete') {
    const bySize = config.retentionBytes >= 0 ? config.retentionBytes + config.segmentBytes + inflow : Number.POSITIVE_INFINITY
    const byTime = config.retentionMs >= 0 ? bytesPerSecond * (config.retentionMs / 1000) + config.segmentBytes + inflow : Number.POSITIVE_INFINITY
    data = Math.min(bySize, byTime)
  } else {
    const live = topic.distinctKeys === undefined ? UNKNOWN_LIVE_BYTES : (topic.distinctKeys / config.partitions) * (topic.bytesPerRecord + BATCH_HEADER_BYTES)
    data = live + 2 * config.segmentBytes + inflow
  }
  // A partition never holds more than was ever written to it.
  data = Math.min(data, (topic.recordsAppended / config.partitions) * topic.bytesPerRecord)
  return data * FILES_SLACK_FACTOR + FILES_SLACK_BYTES
}
