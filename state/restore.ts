import type { Log, TopicPartition } from '../core/log/types.js'
import type { BackendWrite } from './backend/types.js'

/** How far a restore is, for progress reports. */
export interface RestoreProgress {
  readonly store: string
  readonly partition: number
  readonly restored: number
  readonly total: number
  readonly elapsedMs: number
  readonly done: boolean
}

export interface RestoreOptions {
  readonly log: Log
  readonly store: string
  readonly topic: string
  readonly partition: number
  /** The first changelog offset the store lacks (its checkpoint), 0 for all. */
  readonly from: number
  /** Writes a batch of restored entries to the store's backend. */
  readonly apply: (writes: readonly BackendWrite[]) => Promise<void>
  readonly progress?: (progress: RestoreProgress) => void
  readonly now?: () => number
}

/** Polls that bring nothing before the end is reached, before a restore gives up. */
const MAX_IDLE_POLLS = 100

/**
 * Replays a store shard's changelog partition from `from` to its current end into the
 * backend, batch by batch, reading committed records only (an aborted transaction's changes
 * never reach a store). Returns the offset the store is now complete up to: its next
 * checkpoint.
 *
 * @example
 * const next = await restoreShard({ log, store: 'counts', topic: 'app-counts-changelog', partition: 0, from: 0, apply: (writes) => backend.write(writes) })
 */
export async function restoreShard(options: RestoreOptions): Promise<number> {
  const { log, topic, partition } = options
  const description = await log.describeTopic(topic)
  const end = description.partitions[partition]?.endOffset ?? 0
  const start = Math.max(options.from, description.partitions[partition]?.startOffset ?? 0)
  if (start >= end) return end
  const now = options.now ?? Date.now
  const began = now()
  const consumer = log.consumer({ isolation: 'read_committed', maxPollRecords: 10_000, autoOffsetReset: 'earliest' })
  const tp: TopicPartition = { topic, partition }
  let restored = 0
  try {
    await consumer.assign([tp])
    consumer.seek(tp, start)
    let idlePolls = 0
    // One batch is written while the next is read: reading and writing overlap.
    let writing: Promise<void> = Promise.resolve()
    while (consumer.position(tp) < end) {
      const records = await consumer.poll({ timeoutMs: 50 })
      if (records.length === 0) {
        if (++idlePolls >= MAX_IDLE_POLLS) {
          throw new Error(`restoring store ${options.store} from ${topic}-${partition}: stuck at offset ${consumer.position(tp)} of ${end} (an open transaction of another producer?)`)
        }
        continue
      }
      idlePolls = 0
      const writes: BackendWrite[] = []
      for (const record of records) {
        if (record.offset >= end) break
        if (record.key !== null) writes.push({ key: record.key, value: record.value })
      }
      await writing
      writing = options.apply(writes)
      restored += records.length
      options.progress?.({ store: options.store, partition, restored, total: end - start, elapsedMs: now() - began, done: false })
    }
    await writing
    options.progress?.({ store: options.store, partition, restored, total: end - start, elapsedMs: now() - began, done: true })
    return end
  } finally {
    await consumer.close()
  }
}
