/**
 * Offsets read with the admin client: each partition's range (start and end), the offset for a
 * timestamp, and a group's committed offsets. kafkajs's admin lists offsets read_committed, so
 * `end` is the last stable offset: the high watermark unless a transaction is open.
 */
import type { Admin } from 'kafkajs'
import { UnknownTopicOrPartitionError } from '../errors.js'
import { partitionKey } from '../engine/partition-key.js'
import type { TopicPartition } from '../types.js'
import { toLogError } from './errors.js'
import { retryTransient } from './transient-retry.js'

export interface OffsetRange {
  /** The log start offset. */
  readonly start: number
  /** The offset the next record gets (the last stable offset while a transaction is open). */
  readonly end: number
}

export class OffsetLookup {
  constructor(private readonly admin: Admin) {}

  /**
   * The range of every partition of a topic, by partition number.
   *
   * @example
   * (await offsets.ranges('orders')).get(0) // { start: 0, end: 42 }
   */
  async ranges(topic: string): Promise<Map<number, OffsetRange>> {
    try {
      const offsets = await retryTransient(() => this.admin.fetchTopicOffsets(topic))
      return new Map(offsets.map(({ partition, low, high }) => [partition, { start: Number(low), end: Number(high) }]))
    } catch (error) {
      throw toLogError(error, { operation: 'list offsets', topic })
    }
  }

  /** The range of each partition, by `partitionKey`; UnknownTopicOrPartitionError for one that does not exist. */
  async rangesOf(partitions: readonly TopicPartition[]): Promise<Map<string, OffsetRange>> {
    const topics = [...new Set(partitions.map(({ topic }) => topic))]
    const byTopic = new Map(await Promise.all(topics.map(async (topic) => [topic, await this.ranges(topic)] as const)))
    const result = new Map<string, OffsetRange>()
    for (const { topic, partition } of partitions) {
      const range = byTopic.get(topic)?.get(partition)
      if (range === undefined) throw new UnknownTopicOrPartitionError(topic, partition)
      result.set(partitionKey(topic, partition), range)
    }
    return result
  }

  /**
   * Per partition of `topic`, the first offset whose timestamp is at or after `timestamp`, or the end offset when none is.
   *
   * @example
   * (await offsets.atTimestamp('orders', Date.parse('2024-01-01'))).get(0) // 1200
   */
  async atTimestamp(topic: string, timestamp: number): Promise<Map<number, number>> {
    try {
      const offsets = await retryTransient(() => this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp))
      return new Map(offsets.map(({ partition, offset }) => [partition, Number(offset)]))
    } catch (error) {
      throw toLogError(error, { operation: 'seekToTimestamp', topic })
    }
  }

  /**
   * The group's committed offset of each partition (undefined where none; kafkajs's reset
   * markers, negative offsets, count as none).
   *
   * @example
   * await offsets.committed('billing', [{ topic: 'orders', partition: 0 }]) // [17]
   */
  async committed(groupId: string, partitions: readonly TopicPartition[]): Promise<(number | undefined)[]> {
    if (partitions.length === 0) return []
    const topics = [...new Set(partitions.map(({ topic }) => topic))]
    let answer: Awaited<ReturnType<Admin['fetchOffsets']>>
    try {
      answer = await retryTransient(() => this.admin.fetchOffsets({ groupId, topics }))
    } catch (error) {
      throw toLogError(error, { operation: 'committed', groupId })
    }
    const offsets = new Map<string, number>()
    for (const { topic, partitions: entries } of answer) {
      for (const { partition, offset } of entries) offsets.set(partitionKey(topic, partition), Number(offset))
    }
    return partitions.map(({ topic, partition }) => {
      const offset = offsets.get(partitionKey(topic, partition))
      return offset === undefined || !Number.isSafeInteger(offset) || offset < 0 ? undefined : offset
    })
  }
}
