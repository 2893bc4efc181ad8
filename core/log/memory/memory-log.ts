import { systemClock, type Clock } from '../../clock.js'
import { ClosedError, TopicExistsError, UnknownTopicOrPartitionError } from '../errors.js'
import { EngineConsumer } from '../engine/consumer.js'
import { deleteRecordsOf } from '../engine/delete-records.js'
import { GroupCoordinator, type OffsetStore } from '../engine/group-coordinator.js'
import { stderrLogger, type LogLogger } from '../engine/logger.js'
import { parsePartitionKey } from '../engine/partition-key.js'
import { EngineProducer } from '../engine/producer.js'
import { checkNewTopic } from '../engine/topic-config.js'
import { TransactionCoordinator, type TransactionStateStore } from '../engine/transaction-coordinator.js'
import { validateTopicName } from '../topic-name.js'
import type {
  Consumer,
  ConsumerOptions,
  Log,
  Producer,
  ProducerOptions,
  ResolvedTopicConfig,
  TopicConfig,
  TopicDescription,
  TopicPartitionOffset,
} from '../types.js'
import { MemoryPartition } from './memory-partition.js'

export interface MemoryLogOptions {
  /** Every timestamp and timer (poll timeouts, session timeouts) comes from it. Default: the system clock. */
  readonly clock?: Clock
  /** Where warnings go (a consumer reset to its policy, a member that missed its session). Default: stderr. */
  readonly logger?: LogLogger
}

interface MemoryTopic {
  readonly config: ResolvedTopicConfig
  readonly partitions: readonly MemoryPartition[]
}

/**
 * Group offsets and transaction state live in the coordinators' own maps, exactly as long as
 * the log: there is nothing to persist them to, and nothing to reload.
 */
const UNPERSISTED_OFFSETS: OffsetStore = { persist: () => undefined, load: () => [] }
const UNPERSISTED_TRANSACTIONS: TransactionStateStore = { persist: () => undefined, load: () => [] }

/**
 * The memory log: topics and partitions held in memory, with the embedded log's semantics
 * (the same engine runs producers, consumers, groups and transactions over the same batch
 * format). Made for tests and the test driver. See `createMemoryLog`.
 */
export class MemoryLog implements Log {
  readonly backend = 'memory' as const
  readonly clock: Clock
  readonly logger: LogLogger
  /** @internal A memory log is never read-only. */
  readonly readOnly = false
  /** @internal */
  readonly groups: GroupCoordinator
  /** @internal */
  readonly transactions: TransactionCoordinator
  private readonly topics = new Map<string, MemoryTopic>()
  private closed = false

  constructor(options: MemoryLogOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.logger = options.logger ?? stderrLogger
    this.groups = new GroupCoordinator((topic) => this.topics.get(topic)?.partitions.length ?? 0, UNPERSISTED_OFFSETS, this.clock)
    this.transactions = new TransactionCoordinator(
      UNPERSISTED_TRANSACTIONS,
      {
        partition: (key) => {
          const { topic, partition } = parsePartitionKey(key)
          return this.topics.get(topic)?.partitions[partition]
        },
        commitOffsets: (groupId, offsets) => this.groups.commit(groupId, offsets),
      },
      this.clock,
    )
  }

  async createTopic(name: string, config: TopicConfig): Promise<void> {
    this.checkOpen()
    const resolved = checkNewTopic(name, config)
    if (this.topics.has(name)) throw new TopicExistsError(name)
    const partitions = Array.from({ length: resolved.partitions }, (_, partition) => new MemoryPartition(name, partition, resolved))
    this.topics.set(name, { config: resolved, partitions })
    this.groups.topicChanged(name)
  }

  async deleteTopic(name: string): Promise<void> {
    this.checkOpen()
    validateTopicName(name)
    const topic = this.topic(name)
    this.topics.delete(name)
    for (const partition of topic.partitions) partition.delete()
    this.groups.topicChanged(name)
  }

  async listTopics(): Promise<string[]> {
    this.checkOpen()
    return [...this.topics.keys()].sort()
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.checkOpen()
    validateTopicName(name)
    const topic = this.topic(name)
    return {
      name,
      config: topic.config,
      partitions: topic.partitions.map(({ partition, startOffset, endOffset, sizeBytes }) => ({ partition, startOffset, endOffset, sizeBytes })),
    }
  }

  async deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen()
    deleteRecordsOf(offsets, (topic, partition) => this.partition(topic, partition))
  }

  producer(options: ProducerOptions = {}): Producer {
    this.checkOpen()
    return new EngineProducer(this, options)
  }

  consumer(options: ConsumerOptions = {}): Consumer {
    this.checkOpen()
    return new EngineConsumer(this, options)
  }

  /** Drops every topic; producers and consumers of this log then fail with ClosedError. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const topic of this.topics.values()) for (const partition of topic.partitions) partition.close()
    this.topics.clear()
  }

  /** @internal */
  partitionsOf(topic: string): readonly MemoryPartition[] {
    this.checkOpen()
    return this.topic(topic).partitions
  }

  /** @internal */
  partition(topic: string, partition: number): MemoryPartition {
    this.checkOpen()
    const store = this.topic(topic).partitions[partition]
    if (store === undefined) throw new UnknownTopicOrPartitionError(topic, partition)
    return store
  }

  /** @internal A memory log is always writable. */
  checkWritable(): void {}

  private topic(name: string): MemoryTopic {
    const topic = this.topics.get(name)
    if (topic !== undefined) return topic
    // A name no topic can have is answered as such, not as one to create first.
    validateTopicName(name)
    throw new UnknownTopicOrPartitionError(name)
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('log')
  }
}
