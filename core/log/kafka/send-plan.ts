/**
 * How one `send` becomes produce requests: every record routed to its partition (by the same
 * murmur2 partitioner as the in-process logs, so keys land on the same partition numbers), checked
 * against its topic's rules, and cut into batches that fit the topic's `maxRecordBytes` exactly as
 * the in-process producer cuts them. All of it happens before anything is sent, so a refused
 * record writes nothing.
 */
import { InvalidRecordError, UnknownTopicOrPartitionError } from '../errors.js'
import { encodeWithin } from '../engine/batch-split.js'
import { partitionForKey } from '../partitioner.js'
import type { ProducerRecord } from '../types.js'
import type { TopicInfo } from './topic-admin.js'
import type { TopicInfoCache } from './topic-cache.js'

/** Records of one partition sent as one batch: their indexes in the send, in order. */
export interface PlannedBatch {
  readonly topic: string
  readonly partition: number
  readonly indexes: readonly number[]
  readonly sizeBytes: number
  readonly maxBytes: number
}

export interface SendPlan {
  /** The timestamp of records that carry none. */
  readonly now: number
  /**
   * One produce request per round. A partition's batches are in successive rounds, in order,
   * because one request carries at most one batch per partition.
   */
  readonly rounds: readonly (readonly PlannedBatch[])[]
}

/**
 * Plans a send; `roundRobin` holds, per topic, the partition the next keyless record goes to.
 *
 * @example
 * const plan = await planSend(records, cache, new Map())
 * plan.rounds.length // 1 unless a partition's records exceed maxRecordBytes together
 */
export async function planSend(records: readonly ProducerRecord[], cache: TopicInfoCache, roundRobin: Map<string, number>): Promise<SendPlan> {
  const now = Date.now()
  const topics = [...new Set(records.map((record) => record.topic))]
  const infos = new Map(await Promise.all(topics.map(async (topic) => [topic, await cache.get(topic)] as const)))
  const groups = new Map<string, { topic: string; partition: number; info: TopicInfo; indexes: number[] }>()
  records.forEach((record, index) => {
    const info = infos.get(record.topic)!
    const partition = route(record, info, roundRobin)
    if (info.settings.config.cleanup === 'compact' && record.key == null) {
      throw new InvalidRecordError(record.topic, 'a compacted topic needs a key on every record')
    }
    const key = `${record.topic}:${partition}`
    let group = groups.get(key)
    if (group === undefined) groups.set(key, (group = { topic: record.topic, partition, info, indexes: [] }))
    group.indexes.push(index)
  })
  const rounds: PlannedBatch[][] = []
  for (const { topic, partition, info, indexes } of groups.values()) {
    const maxBytes = info.settings.config.maxRecordBytes
    const pieces = encodeWithin(
      indexes.map((index) => records[index]!),
      { baseOffset: 0, defaultTimestamp: now },
      topic,
      maxBytes,
    )
    pieces.forEach((piece, round) => {
      ;(rounds[round] ??= []).push({ topic, partition, indexes: indexes.slice(piece.from, piece.to), sizeBytes: piece.batch.length, maxBytes })
    })
  }
  return { now, rounds }
}

function route(record: ProducerRecord, info: TopicInfo, roundRobin: Map<string, number>): number {
  if (record.partition !== undefined) {
    if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= info.partitions) {
      throw new UnknownTopicOrPartitionError(record.topic, record.partition)
    }
    return record.partition
  }
  if (record.key != null) return partitionForKey(record.key, info.partitions)
  const next = roundRobin.get(record.topic) ?? 0
  roundRobin.set(record.topic, (next + 1) % info.partitions)
  return next % info.partitions
}
