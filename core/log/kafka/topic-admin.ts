/**
 * Topic administration over a kafkajs admin client: create, delete, list, describe. Existence is
 * checked with one metadata request first, because kafkajs retries its other admin calls on an
 * unknown topic for seconds before giving up.
 */
import type { Admin } from 'kafkajs'
import { LogError, TopicExistsError, UnknownTopicOrPartitionError } from '../errors.js'
import { checkNewTopic, requireInteger } from '../engine/topic-config.js'
import { validateTopicName } from '../topic-name.js'
import type { PartitionDescription, TopicConfig, TopicDescription } from '../types.js'
import { kafkaErrorType, toLogError } from './errors.js'
import type { OffsetLookup } from './offset-lookup.js'
import { configEntriesOf, readTopicSettings, type KafkaTopicSettings } from './topic-configs.js'

/** What a producer and deleteRecords need to know of a topic. */
export interface TopicInfo {
  readonly partitions: number
  readonly settings: KafkaTopicSettings
}

export class TopicAdmin {
  constructor(
    private readonly admin: Admin,
    private readonly offsets: OffsetLookup,
    private readonly defaults: { readonly replicationFactor: number | undefined; readonly minInsyncReplicas: number | undefined },
    private readonly leaderTimeoutMs: number,
  ) {}

  /**
   * The topic's partition count; UnknownTopicOrPartitionError when it does not exist.
   *
   * @example
   * await topics.partitionCount('orders') // 3
   */
  async partitionCount(topic: string): Promise<number> {
    validateTopicName(topic)
    try {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] })
      const found = topics.find((entry) => entry.name === topic)
      if (found === undefined || found.partitions.length === 0) throw new UnknownTopicOrPartitionError(topic)
      return found.partitions.length
    } catch (error) {
      throw toLogError(error, { operation: 'describeTopic', topic })
    }
  }

  /** Partition count and settings of a topic. */
  async info(topic: string): Promise<TopicInfo> {
    const partitions = await this.partitionCount(topic)
    return { partitions, settings: await readTopicSettings(this.admin, topic, partitions) }
  }

  async create(name: string, config: TopicConfig): Promise<void> {
    const resolved = checkNewTopic(name, config)
    const replicationFactor = config.replicationFactor ?? this.defaults.replicationFactor
    if (replicationFactor !== undefined) requireInteger('replicationFactor', replicationFactor, 1, 32_767)
    const minInsyncReplicas = config.minInsyncReplicas ?? this.defaults.minInsyncReplicas
    if (minInsyncReplicas !== undefined) requireInteger('minInsyncReplicas', minInsyncReplicas, 1, replicationFactor ?? 32_767)
    let created: boolean
    try {
      created = await this.admin.createTopics({
        topics: [
          {
            topic: name,
            numPartitions: resolved.partitions,
            ...(replicationFactor === undefined ? {} : { replicationFactor }),
            configEntries: configEntriesOf({ ...config, ...(minInsyncReplicas === undefined ? {} : { minInsyncReplicas }) }),
          },
        ],
        // kafkajs's own wait gives up when the broker does not know the new topic yet.
        waitForLeaders: false,
      })
    } catch (error) {
      throw toLogError(error, { operation: 'createTopic', topic: name })
    }
    // kafkajs answers false, not an error, when the topic exists.
    if (!created) throw new TopicExistsError(name)
    await this.awaitLeaders(name, resolved.partitions)
  }

  /** Waits until the broker's metadata shows every partition of a new topic with a leader (so it can be written). */
  private async awaitLeaders(topic: string, partitions: number): Promise<void> {
    const deadline = Date.now() + this.leaderTimeoutMs
    for (let delayMs = 10; ; delayMs = Math.min(delayMs * 2, 500)) {
      try {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] })
        const found = topics.find((entry) => entry.name === topic)?.partitions ?? []
        if (found.length === partitions && found.every((partition) => partition.partitionErrorCode === 0 && partition.leader >= 0)) return
      } catch (error) {
        const type = kafkaErrorType(error)
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw toLogError(error, { operation: 'createTopic', topic })
      }
      if (Date.now() + delayMs > deadline) {
        throw new LogError('TRIBUTARY_KAFKA', `topic ${topic} was created, but its partitions have no leader after ${this.leaderTimeoutMs} ms`, { retriable: true })
      }
      await new Promise<void>((resolve) => setTimeout(resolve, delayMs))
    }
  }

  async delete(name: string): Promise<void> {
    await this.partitionCount(name)
    try {
      await this.admin.deleteTopics({ topics: [name] })
    } catch (error) {
      throw toLogError(error, { operation: 'deleteTopic', topic: name })
    }
  }

  /** User topics, sorted: names starting with `__` are Kafka's own. */
  async list(): Promise<string[]> {
    try {
      const topics = await this.admin.listTopics()
      return topics.filter((topic) => !topic.startsWith('__')).sort()
    } catch (error) {
      throw toLogError(error, { operation: 'listTopics' })
    }
  }

  async describe(name: string): Promise<TopicDescription> {
    const partitionCount = await this.partitionCount(name)
    const [settings, ranges] = await Promise.all([readTopicSettings(this.admin, name, partitionCount), this.offsets.ranges(name)])
    const partitions: PartitionDescription[] = []
    for (let partition = 0; partition < partitionCount; partition++) {
      const range = ranges.get(partition)
      if (range === undefined) throw new UnknownTopicOrPartitionError(name, partition)
      // Kafka's admin API does not report a partition's bytes (DescribeLogDirs is not in kafkajs).
      partitions.push({ partition, startOffset: range.start, endOffset: range.end, sizeBytes: undefined })
    }
    return { name, config: settings.config, partitions }
  }
}
