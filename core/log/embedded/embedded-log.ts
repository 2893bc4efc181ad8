import fs from 'node:fs'
import path from 'node:path'
import { systemClock, type Clock, type TimerHandle } from '../../clock.js'
import { ClosedError, DataDirectoryLockedError, ReadOnlyLogError, TopicExistsError, UnknownTopicOrPartitionError } from '../errors.js'
import { EngineConsumer } from '../engine/consumer.js'
import { deleteRecordsOf } from '../engine/delete-records.js'
import { GroupCoordinator } from '../engine/group-coordinator.js'
import { stderrLogger, type LogLogger } from '../engine/logger.js'
import { parsePartitionKey } from '../engine/partition-key.js'
import { EngineProducer } from '../engine/producer.js'
import { checkNewTopic } from '../engine/topic-config.js'
import { TransactionCoordinator } from '../engine/transaction-coordinator.js'
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
import { compactPartition } from './compaction.js'
import { fsyncDirectory } from './files.js'
import { InternalTopics } from './internal-topics.js'
import { lockDirectory } from '../../dir-lock.js'
import { resolveCompactionBufferBytes, validateDurability, type Durability, type EmbeddedLogOptions } from './options.js'
import { PartitionLog, type RecoveryEvent } from './partition-log.js'
import { TopicRegistry, partitionDirectory } from './topic-registry.js'

/** The files of the log itself at the top of its data directory: the topic list (and its temporary copy while replaced) and the lock. */
const OWN_FILES: ReadonlySet<string> = new Set(['topics.json', 'topics.json.tmp', '.lock'])

const DEFAULT_MAINTENANCE_INTERVAL_MS = 30_000

interface Topic {
  config: ResolvedTopicConfig
  partitions: PartitionLog[]
}

/**
 * The embedded partitioned log: topics as directories of segment files in one data
 * directory, owned by one process. See `openEmbeddedLog`.
 */
export class EmbeddedLog implements Log {
  readonly backend = 'embedded' as const
  readonly clock: Clock
  readonly logger: LogLogger
  readonly readOnly: boolean
  readonly dir: string
  private readonly topics = new Map<string, Topic>()
  private readonly registry: TopicRegistry
  private readonly durability: Durability
  private readonly compactionBufferBytes: number
  private unlock: (() => void) | undefined
  private closed = false
  private maintenanceRunning = false
  private timers: { handle: TimerHandle | undefined }[] = []
  private groupCoordinator: GroupCoordinator | undefined
  private transactionCoordinator: TransactionCoordinator | undefined

  constructor(options: EmbeddedLogOptions) {
    this.dir = path.resolve(options.dir)
    this.clock = options.clock ?? systemClock
    this.logger = options.logger ?? stderrLogger
    this.readOnly = options.readOnly ?? false
    this.durability = options.durability ?? 'fsync'
    validateDurability(this.durability)
    this.compactionBufferBytes = resolveCompactionBufferBytes(options.compactionBufferBytes)
    this.registry = new TopicRegistry(this.dir)
    if (!this.readOnly) {
      fs.mkdirSync(this.dir, { recursive: true })
      this.unlock = lockDirectory(this.dir, (dir, owner) => new DataDirectoryLockedError(dir, owner))
    }
    try {
      this.loadTopics()
      const internal = new InternalTopics(this, this.clock)
      this.groupCoordinator = new GroupCoordinator((topic) => this.topics.get(topic)?.partitions.length ?? 0, internal.offsetStore(), this.clock)
      this.transactionCoordinator = new TransactionCoordinator(
        internal.transactionStore(),
        {
          partition: (key) => {
            const { topic, partition } = parsePartitionKey(key)
            return this.topics.get(topic)?.partitions[partition]
          },
          commitOffsets: (groupId, offsets) => this.groups.commit(groupId, offsets),
        },
        this.clock,
        this.readOnly,
      )
      this.startTimers(options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS)
    } catch (error) {
      this.closeFiles()
      throw error
    }
  }

  get groups(): GroupCoordinator {
    return this.groupCoordinator!
  }

  get transactions(): TransactionCoordinator {
    return this.transactionCoordinator!
  }

  async createTopic(name: string, config: TopicConfig): Promise<void> {
    this.createTopicSync(name, config)
  }

  /** @internal Creates a topic; internal topics (`__` names) only from inside the log. */
  createTopicSync(name: string, config: TopicConfig, internal = false): void {
    this.checkOpen()
    const resolved = checkNewTopic(name, config, internal)
    this.checkWritable('createTopic')
    this.refreshTopics()
    if (this.topics.has(name)) throw new TopicExistsError(name)
    const partitions: PartitionLog[] = []
    for (let partition = 0; partition < resolved.partitions; partition++) {
      partitions.push(PartitionLog.create(this.partitionOptions(name, partition, resolved)))
    }
    fsyncDirectory(this.dir)
    this.topics.set(name, { config: resolved, partitions })
    this.registry.write(new Map([...this.topics].map(([topic, entry]) => [topic, entry.config])))
    this.groupCoordinator?.topicChanged(name)
  }

  async deleteTopic(name: string): Promise<void> {
    this.checkOpen()
    validateTopicName(name)
    this.checkWritable('deleteTopic')
    const topic = this.topic(name)
    this.topics.delete(name)
    this.registry.write(new Map([...this.topics].map(([entry, value]) => [entry, value.config])))
    for (const partition of topic.partitions) partition.delete()
    this.groups.topicChanged(name)
  }

  async listTopics(): Promise<string[]> {
    this.checkOpen()
    this.refreshTopics()
    return [...this.topics.keys()].filter((name) => !name.startsWith('__')).sort()
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.checkOpen()
    validateTopicName(name)
    this.refreshTopics()
    const topic = this.topic(name)
    return {
      name,
      config: topic.config,
      partitions: topic.partitions.map((partition) => {
        partition.refresh()
        return { partition: partition.partition, startOffset: partition.startOffset, endOffset: partition.endOffset, sizeBytes: partition.sizeBytes }
      }),
    }
  }

  async deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen()
    this.checkWritable('deleteRecords')
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

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.closeFiles()
  }

  /** What recovery cut from partition tails when this log was opened. */
  recoveryEvents(): RecoveryEvent[] {
    return [...this.topics.values()].flatMap((topic) => topic.partitions.flatMap((partition) => [...partition.recoveryEvents()]))
  }

  /**
   * Runs retention (delete topics) and compaction (compact topics) now; the background run
   * does it every `maintenanceIntervalMs`. Resolves when both are done.
   */
  async runMaintenance(): Promise<{ segmentsDeleted: number; segmentsCompacted: number; recordsCompacted: number }> {
    const result = { segmentsDeleted: 0, segmentsCompacted: 0, recordsCompacted: 0 }
    if (this.readOnly || this.closed || this.maintenanceRunning) return result
    this.maintenanceRunning = true
    try {
      for (const topic of [...this.topics.values()]) {
        for (const partition of topic.partitions) {
          if (partition.isClosed) continue
          if (topic.config.cleanup === 'delete') result.segmentsDeleted += partition.enforceRetention()
          else {
            const compacted = await compactPartition(partition, this.clock.now(), { bufferBytes: this.compactionBufferBytes })
            result.segmentsCompacted += compacted.segmentsRewritten
            result.recordsCompacted += compacted.recordsRemoved
          }
        }
      }
    } finally {
      this.maintenanceRunning = false
    }
    return result
  }

  /** @internal */
  partitionsOf(topic: string): readonly PartitionLog[] {
    this.checkOpen()
    return this.topic(topic).partitions
  }

  /** @internal */
  partition(topic: string, partition: number): PartitionLog {
    this.checkOpen()
    this.refreshTopics()
    const log = this.topic(topic).partitions[partition]
    if (log === undefined) throw new UnknownTopicOrPartitionError(topic, partition)
    return log
  }

  /** @internal */
  checkWritable(operation: string): void {
    if (this.readOnly) throw new ReadOnlyLogError(operation)
  }

  private topic(name: string): Topic {
    const topic = this.topics.get(name)
    if (topic !== undefined) return topic
    // A name no topic can have is answered as such, not as one to create first.
    validateTopicName(name)
    throw new UnknownTopicOrPartitionError(name)
  }

  private partitionOptions(topic: string, partition: number, config: ResolvedTopicConfig) {
    return {
      topic,
      partition,
      config,
      dir: partitionDirectory(this.dir, topic, partition),
      readOnly: this.readOnly,
      durability: this.durability,
      clock: this.clock,
      logger: this.logger,
    }
  }

  private loadTopics(): void {
    for (const [name, config] of this.registry.read((name, reason) => this.ignoredTopic(name, reason))) {
      const partitions: PartitionLog[] = []
      for (let partition = 0; partition < config.partitions; partition++) {
        partitions.push(PartitionLog.open(this.partitionOptions(name, partition, config)))
      }
      this.topics.set(name, { config, partitions })
    }
    if (!this.readOnly) this.removeLeftovers()
  }

  /** A read-only view picks up topics the writing process created since. */
  private refreshTopics(): void {
    if (!this.readOnly) return
    for (const [name, config] of this.registry.read((name, reason) => this.ignoredTopic(name, reason))) {
      if (this.topics.has(name)) continue
      const partitions: PartitionLog[] = []
      for (let partition = 0; partition < config.partitions; partition++) {
        partitions.push(PartitionLog.open(this.partitionOptions(name, partition, config)))
      }
      this.topics.set(name, { config, partitions })
    }
  }

  private ignoredTopic(name: string, reason: string): void {
    this.logger.warn(`ignoring topic ${JSON.stringify(name.slice(0, 300))} listed in ${path.join(this.dir, 'topics.json')}: ${reason}`)
  }

  /** Partition directories of deleted topics (a crash during delete) are removed. */
  private removeLeftovers(): void {
    const known = new Set<string>()
    for (const [name, topic] of this.topics) for (const partition of topic.partitions) known.add(path.basename(partitionDirectory(this.dir, name, partition.partition)))
    for (const entry of fs.readdirSync(this.dir, { withFileTypes: true })) {
      if (known.has(entry.name) || OWN_FILES.has(entry.name)) continue
      if (!entry.isDirectory()) {
        // A file or a link (never followed) that is not the log's own.
        this.logger.warn(`ignoring ${entry.name} in ${this.dir}: ${entry.isSymbolicLink() ? 'a link' : 'a file'} that is not part of this log`)
        continue
      }
      if (/^[a-zA-Z0-9._-]+-\d+$/.test(entry.name) && fs.existsSync(path.join(this.dir, entry.name, '00000000000000000000.log'))) {
        this.logger.warn(`removing ${entry.name}: a partition of a deleted topic`)
        fs.rmSync(path.join(this.dir, entry.name), { recursive: true, force: true })
      } else this.logger.warn(`ignoring ${entry.name} in ${this.dir}: not a partition of this log`)
    }
  }

  private startTimers(maintenanceIntervalMs: number): void {
    if (this.readOnly) return
    const every = (intervalMs: number, task: () => unknown): void => {
      const failed = (error: unknown): void => this.logger.warn(`background task failed: ${(error as Error).message}`)
      const slot = { handle: undefined as TimerHandle | undefined }
      const run = (): void => {
        if (this.closed) return
        try {
          const result = task()
          if (result instanceof Promise) result.catch(failed)
        } catch (error) {
          failed(error)
        }
        slot.handle = this.clock.setTimeout(run, intervalMs)
      }
      slot.handle = this.clock.setTimeout(run, intervalMs)
      this.timers.push(slot)
    }
    if (typeof this.durability === 'object') {
      every(this.durability.fsyncIntervalMs, () => {
        for (const topic of this.topics.values()) for (const partition of topic.partitions) partition.sync()
      })
    }
    if (maintenanceIntervalMs > 0) every(maintenanceIntervalMs, () => this.runMaintenance())
  }

  private closeFiles(): void {
    for (const timer of this.timers) if (timer.handle) this.clock.clearTimeout(timer.handle)
    this.timers = []
    for (const topic of this.topics.values()) {
      for (const partition of topic.partitions) {
        try {
          partition.close()
        } catch (error) {
          this.logger.warn(`closing ${partition.topic}-${partition.partition} failed: ${(error as Error).message}`)
        }
      }
    }
    this.topics.clear()
    this.unlock?.()
    this.unlock = undefined
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('log')
  }
}
