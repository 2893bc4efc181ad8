import { randomUUID } from 'node:crypto'
import type { Clock } from '../../clock.js'
import { ConfigError } from '../../errors.js'
import { ClosedError, CorruptRecordError, LogError, OffsetOutOfRangeError } from '../errors.js'
import type {
  Consumer,
  ConsumerOptions,
  IsolationLevel,
  LogRecord,
  PollOptions,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.js'
import type { GroupCoordinator } from './group-coordinator.js'
import type { LogLogger } from './logger.js'
import { partitionKey } from './partition-key.js'
import type { PartitionStore, ReadCursor } from './partition-store.js'

/** What a consumer needs of the log it reads. */
export interface ConsumerHost {
  readonly clock: Clock
  readonly groups: GroupCoordinator
  readonly logger: LogLogger
  /** A read-only view sees another process's appends only by looking (see `refresh`), so its polls look often. */
  readonly readOnly: boolean
  partition(topic: string, partition: number): PartitionStore
  checkWritable(operation: string): void
}

interface Assigned {
  readonly topicPartition: TopicPartition
  readonly log: PartitionStore
  /** Next offset to read; undefined until the start position is resolved. */
  position: number | undefined
  paused: boolean
  /** Where the last read ended, for the store to go on from. */
  readonly cursor: ReadCursor
}

/** How long a read-only consumer waits between looks at files another process appends to. */
const READ_ONLY_REFRESH_MS = 20

/**
 * The consumer of the in-process logs (embedded and memory): reads partition stores, as a
 * group member (`subscribe`) or from chosen partitions (`assign`). A waiting poll is woken by
 * appends, never by a polling timer; its timeout is a timer of the host's clock.
 *
 * @example
 * const consumer = new EngineConsumer(log, { groupId: 'billing' })
 * await consumer.subscribe(['orders'])
 * const records = await consumer.poll({ timeoutMs: 1000 })
 */
export class EngineConsumer implements Consumer {
  private readonly memberId = randomUUID()
  private readonly assigned = new Map<string, Assigned>()
  private subscription: { topics: readonly string[]; listener: RebalanceListener | undefined } | undefined
  private closed = false
  private wake: (() => void) | undefined
  private woken = false
  private rotation = 0
  private readonly isolation: IsolationLevel
  private readonly maxPollRecords: number
  private readonly sessionTimeoutMs: number

  constructor(
    private readonly host: ConsumerHost,
    private readonly options: ConsumerOptions,
  ) {
    this.isolation = options.isolation ?? 'read_committed'
    this.maxPollRecords = options.maxPollRecords ?? 10_000
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000
  }

  async subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void> {
    this.checkOpen()
    const groupId = this.requireGroup('subscribe')
    for (const topic of topics) this.host.partition(topic, 0)
    if (this.subscription !== undefined) {
      // Subscribing again rejoins the group, as the Kafka backend's consumer does: what it had
      // is revoked, and what the group gives it now is taken afresh, from the committed offsets.
      const revoked = this.assignment()
      if (revoked.length > 0) await this.subscription.listener?.onRevoked?.(revoked)
      this.host.groups.leave(groupId, this.memberId)
    }
    this.assigned.clear()
    this.subscription = { topics: [...topics], listener }
    this.host.groups.join(groupId, this.memberId, topics, listener, () => this.wake?.())
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.checkOpen()
    if (this.subscription !== undefined) {
      this.host.groups.leave(this.requireGroup('assign'), this.memberId)
      this.subscription = undefined
    }
    this.assigned.clear()
    for (const topicPartition of partitions) this.add(topicPartition)
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()].map((entry) => entry.topicPartition)
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    this.checkOpen()
    const maxRecords = options.maxRecords ?? this.maxPollRecords
    const deadline = this.host.clock.now() + (options.timeoutMs ?? 0)
    this.woken = false
    for (;;) {
      await this.syncGroup()
      const records = this.readAvailable(maxRecords)
      if (records.length > 0 || this.woken || this.closed) return records
      const remaining = deadline - this.host.clock.now()
      if (remaining <= 0) return records
      await this.waitForData(remaining)
    }
  }

  wakeup(): void {
    this.woken = true
    this.wake?.()
  }

  seek(partition: TopicPartition, offset: number): void {
    const entry = this.entry(partition)
    entry.log.refresh()
    entry.log.checkOffset(offset)
    entry.position = offset
  }

  async seekToBeginning(partitions?: readonly TopicPartition[]): Promise<void> {
    for (const entry of this.entries(partitions)) entry.position = entry.log.startOffset
  }

  async seekToEnd(partitions?: readonly TopicPartition[]): Promise<void> {
    for (const entry of this.entries(partitions)) {
      entry.log.refresh()
      entry.position = entry.log.endOffset
    }
  }

  async seekToTimestamp(partition: TopicPartition, timestamp: number): Promise<void> {
    const entry = this.entry(partition)
    entry.log.refresh()
    entry.position = entry.log.offsetForTimestamp(timestamp)
  }

  position(partition: TopicPartition): number {
    const entry = this.entry(partition)
    entry.position ??= this.startPosition(entry)
    return entry.position
  }

  currentLag(partition: TopicPartition): number {
    const entry = this.entry(partition)
    entry.position ??= this.startPosition(entry)
    const end = this.isolation === 'read_committed' ? entry.log.lastStableOffset : entry.log.endOffset
    return Math.max(0, end - entry.position)
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const entry of this.entries(partitions)) entry.paused = true
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const entry of this.entries(partitions)) entry.paused = false
  }

  async commit(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen()
    const groupId = this.requireGroup('commit')
    this.host.checkWritable('commit')
    const toCommit =
      offsets ??
      [...this.assigned.values()]
        .filter((entry) => entry.position !== undefined)
        .map((entry) => ({ ...entry.topicPartition, offset: entry.position! }))
    this.host.groups.commit(groupId, toCommit)
  }

  async committed(partitions: readonly TopicPartition[]): Promise<(number | undefined)[]> {
    const groupId = this.requireGroup('committed')
    return partitions.map(({ topic, partition }) => this.host.groups.committed(groupId, topic, partition))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.subscription !== undefined && this.options.groupId !== undefined) {
      const revoked = this.assignment()
      if (revoked.length > 0) await this.subscription.listener?.onRevoked?.(revoked)
      this.host.groups.leave(this.options.groupId, this.memberId)
    }
    this.assigned.clear()
    this.wake?.()
  }

  /** Applies the group's latest assignment: revoke first, then take what is free. */
  private async syncGroup(): Promise<void> {
    if (this.subscription === undefined || this.options.groupId === undefined) return
    const change = this.host.groups.sync(this.options.groupId, this.memberId, this.sessionTimeoutMs)
    if (change.expelled) {
      // Its partitions may be with another member now: drop them all, then join again.
      const lost = this.assignment()
      this.assigned.clear()
      if (lost.length > 0) await this.subscription.listener?.onRevoked?.(lost)
      this.host.logger.warn(`consumer of group ${this.options.groupId} missed its session timeout (${this.sessionTimeoutMs} ms); rejoining`)
      const { topics, listener } = this.subscription
      this.host.groups.join(this.options.groupId, this.memberId, topics, listener, () => this.wake?.())
      return
    }
    if (change.revoked.length > 0) {
      for (const { topic, partition } of change.revoked) this.assigned.delete(partitionKey(topic, partition))
      try {
        await change.listener?.onRevoked?.(change.revoked)
      } finally {
        // Only now may another member take them: what this one had is committed.
        this.host.groups.released(this.options.groupId, this.memberId, change.revoked)
      }
    }
    if (change.assigned.length > 0) {
      for (const topicPartition of change.assigned) this.add(topicPartition)
      await change.listener?.onAssigned?.(change.assigned)
    }
  }

  private readAvailable(maxRecords: number): LogRecord[] {
    const out: LogRecord[] = []
    const entries = [...this.assigned.values()]
    // Start at a different partition each poll, so one busy partition cannot starve the rest.
    for (let i = 0; i < entries.length && out.length < maxRecords; i++) {
      const entry = entries[(this.rotation + i) % entries.length]!
      if (entry.paused) continue
      entry.log.refresh()
      entry.position ??= this.startPosition(entry)
      if (entry.position < entry.log.startOffset || entry.position > entry.log.endOffset) entry.position = this.resetPosition(entry, entry.position, 'position')
      const before = out.length
      try {
        entry.position = entry.log.read(entry.position, maxRecords, this.isolation, out, entry.cursor)
      } catch (error) {
        // Damage is reported once what comes before it is delivered, as Java's consumer does: the
        // records read so far go out now, and the next poll meets the damage again, from here.
        if (!(error instanceof CorruptRecordError) || out.length === 0) throw error
        if (out.length > before) entry.position = out[out.length - 1]!.offset + 1
        break
      }
    }
    this.rotation = entries.length === 0 ? 0 : (this.rotation + 1) % entries.length
    return out
  }

  /** Where to start a partition: the group's committed offset, else the reset policy. */
  private startPosition(entry: Assigned): number {
    const { topic, partition } = entry.topicPartition
    const committed = this.options.groupId === undefined ? undefined : this.host.groups.committed(this.options.groupId, topic, partition)
    const log = entry.log
    if (committed !== undefined && committed >= log.startOffset && committed <= log.endOffset) return committed
    return this.resetPosition(entry, committed, 'committed offset')
  }

  /**
   * Where the reset policy puts a partition whose `offset` (a committed offset or the position)
   * is out of range, or that has none; with `none`, an OffsetOutOfRangeError. As Kafka's consumer
   * does when a fetch meets an offset that retention or deleteRecords removed.
   */
  private resetPosition(entry: Assigned, offset: number | undefined, what: 'committed offset' | 'position'): number {
    const { topic, partition } = entry.topicPartition
    const log = entry.log
    const policy = this.options.autoOffsetReset ?? 'earliest'
    if (offset !== undefined) {
      if (policy === 'none') throw new OffsetOutOfRangeError(topic, partition, offset, log.startOffset, log.endOffset)
      const owner = this.options.groupId === undefined ? 'the consumer' : `group ${this.options.groupId}`
      this.host.logger.warn(`${what} ${offset} of ${owner} is outside ${topic}-${partition} [${log.startOffset}, ${log.endOffset}]; resetting to ${policy}`)
    }
    if (policy === 'latest') return log.endOffset
    if (policy === 'earliest') return log.startOffset
    throw new OffsetOutOfRangeError(topic, partition, Number.NaN, log.startOffset, log.endOffset)
  }

  private waitForData(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const unsubscribes: (() => void)[] = []
      const delay = this.host.readOnly ? Math.min(timeoutMs, READ_ONLY_REFRESH_MS) : timeoutMs
      const done = (): void => {
        this.host.clock.clearTimeout(timer)
        for (const unsubscribe of unsubscribes) unsubscribe()
        this.wake = undefined
        resolve()
      }
      const timer = this.host.clock.setTimeout(done, delay)
      for (const entry of this.assigned.values()) unsubscribes.push(entry.log.onAppend(done))
      this.wake = done
    })
  }

  private add(topicPartition: TopicPartition): void {
    const log = this.host.partition(topicPartition.topic, topicPartition.partition)
    const key = partitionKey(topicPartition.topic, topicPartition.partition)
    this.assigned.set(key, { topicPartition: { topic: topicPartition.topic, partition: topicPartition.partition }, log, position: undefined, paused: false, cursor: {} })
  }

  private entry(partition: TopicPartition): Assigned {
    const entry = this.assigned.get(partitionKey(partition.topic, partition.partition))
    if (entry === undefined) {
      throw new LogError('TRIBUTARY_NOT_ASSIGNED', `${partition.topic}-${partition.partition} is not assigned to this consumer`)
    }
    return entry
  }

  private entries(partitions: readonly TopicPartition[] | undefined): Assigned[] {
    return partitions === undefined ? [...this.assigned.values()] : partitions.map((partition) => this.entry(partition))
  }

  private requireGroup(operation: string): string {
    if (this.options.groupId === undefined) throw new ConfigError('groupId', `a consumer needs a groupId to ${operation}`)
    return this.options.groupId
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('consumer')
  }
}
