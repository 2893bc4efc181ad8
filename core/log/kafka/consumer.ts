import './kafkajs-fixes.js'
import { randomUUID } from 'node:crypto'
import kafkajs, { type Admin, type Kafka, type PartitionAssigner } from 'kafkajs'
import { ConfigError } from '../../errors.js'
import { ClosedError, LogError, OffsetOutOfRangeError, UnknownTopicOrPartitionError } from '../errors.js'
import type { Consumer, ConsumerOptions, LogRecord, PollOptions, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../types.js'
import { fixedAssigner } from './assigners.js'
import { toLogError } from './errors.js'
import { FetchBuffer } from './fetch-buffer.js'
import { GroupSync } from './group-sync.js'
import { commitOutsideGroup } from './group-commit.js'
import { JoinGate } from './join-gate.js'
import { KafkaJsSession, type SessionEvents } from './kafkajs-session.js'
import type { OffsetLookup } from './offset-lookup.js'
import type { ResolvedKafkaLogOptions } from './options.js'
import { PartitionReader } from './partition-reader.js'
import { PartitionStates, type PartitionState } from './partition-states.js'
import { startPosition, type ResetPolicy } from './positions.js'
import type { TopicAdmin } from './topic-admin.js'
import { WakeSignal } from './wake-signal.js'

/** What a consumer needs of the Kafka log it belongs to. */
export interface KafkaConsumerHost {
  readonly options: ResolvedKafkaLogOptions
  readonly client: Kafka
  readonly admin: Admin
  readonly topics: TopicAdmin
  readonly offsets: OffsetLookup
  /** Throws ClosedError once the log is closed. */
  checkOpen(): void
  forget(consumer: KafkaConsumer): void
}

/**
 * A consumer on Kafka: the log's pull-based `poll` over kafkajs's push-based consumer. Batches
 * kafkajs fetches wait in a buffer until a poll takes them (kafkajs fetching the next one while
 * polls read the current one, see fetch-buffer.ts); positions are the consumer's own, so
 * `position()` and `seek()` are exact; rebalance callbacks run inside `poll`, revocation before
 * the member rejoins (see join-gate.ts), as in Java's client. `assign()` reads through a
 * one-member group of its own (kafkajs cannot fetch without a group) and never commits for it.
 *
 * @example
 * const consumer = log.consumer({ groupId: 'billing' })
 * await consumer.subscribe(['orders'], { onRevoked: (partitions) => consumer.commit() })
 * const records = await consumer.poll({ timeoutMs: 1000 })
 */
export class KafkaConsumer implements Consumer {
  private readonly states = new PartitionStates()
  private readonly signal = new WakeSignal()
  private readonly buffer = new FetchBuffer(() => this.signal.notify())
  private readonly reader: PartitionReader
  private readonly group: GroupSync
  private readonly reset: ResetPolicy
  private readonly maxPollRecords: number
  private session: KafkaJsSession | undefined
  /** Counts sessions, so that a stopped session's late events are ignored. */
  private sessionGeneration = 0
  private mode: 'idle' | 'subscribed' | 'assigned' = 'idle'
  private crash: unknown
  private woken = false
  private closed = false

  constructor(
    private readonly host: KafkaConsumerHost,
    private readonly options: ConsumerOptions,
  ) {
    this.maxPollRecords = options.maxPollRecords ?? 10_000
    this.reset = {
      policy: options.autoOffsetReset ?? 'earliest',
      owner: options.groupId === undefined ? 'the consumer' : `group ${options.groupId}`,
      logger: host.options.logger,
    }
    const session = () => this.session
    this.reader = new PartitionReader({ states: this.states, buffer: this.buffer, offsets: host.offsets, reset: this.reset, session })
    this.group = new GroupSync({ states: this.states, buffer: this.buffer, offsets: host.offsets, reset: this.reset, session, groupId: () => this.options.groupId })
  }

  async subscribe(topics: readonly string[], listener?: RebalanceListener): Promise<void> {
    this.checkOpen()
    const groupId = this.requireGroup('subscribe')
    for (const topic of topics) await this.host.topics.partitionCount(topic)
    await this.leave()
    this.mode = 'subscribed'
    this.group.listener = listener
    await this.startSession(groupId, topics, kafkajs.PartitionAssigners.roundRobin, () => this.states.size > 0)
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.checkOpen()
    const topics = [...new Set(partitions.map(({ topic }) => topic))]
    for (const topic of topics) {
      const count = await this.host.topics.partitionCount(topic)
      for (const { partition } of partitions.filter((tp) => tp.topic === topic)) {
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) throw new UnknownTopicOrPartitionError(topic, partition)
      }
    }
    await this.leave()
    this.mode = 'assigned'
    if (partitions.length === 0) return
    const ranges = await this.host.offsets.rangesOf(partitions)
    const groupId = this.options.groupId
    const committed = groupId === undefined ? [] : await this.host.offsets.committed(groupId, partitions)
    partitions.forEach((topicPartition, index) => {
      const range = ranges.get(`${topicPartition.topic}:${topicPartition.partition}`)!
      const { position, failure } = startPosition(topicPartition, committed[index], range, this.reset)
      this.states.add(topicPartition, range, position, failure)
    })
    const requested = this.states.assignment()
    await this.startSession(`${this.host.options.clientId}-assign-${randomUUID()}`, topics, fixedAssigner(() => requested), () => false)
  }

  assignment(): TopicPartition[] {
    return this.states.assignment()
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    this.checkOpen()
    const maxRecords = options.maxRecords ?? this.maxPollRecords
    const deadline = Date.now() + (options.timeoutMs ?? 0)
    this.woken = false
    for (;;) {
      if (this.crash !== undefined) throw toLogError(this.crash, { operation: 'poll', ...(this.options.groupId === undefined ? {} : { groupId: this.options.groupId }) })
      const seen = this.signal.version
      if (this.mode === 'subscribed') await this.group.sync()
      else await this.group.resync()
      await this.reader.checkSeeks()
      const records = await this.reader.read(maxRecords)
      if (records.length > 0 || this.woken || this.closed) return records
      const remainingMs = deadline - Date.now()
      if (remainingMs <= 0) return records
      await this.signal.wait(seen, remainingMs)
    }
  }

  wakeup(): void {
    this.woken = true
    this.signal.notify()
  }

  seek(partition: TopicPartition, offset: number): void {
    const state = this.states.get(partition)
    const { start, end } = state.range
    // A seek below the last known start cannot be valid; one past the known end is checked by the next poll.
    if (!Number.isSafeInteger(offset) || offset < 0 || offset < start) throw new OffsetOutOfRangeError(partition.topic, partition.partition, offset, start, end)
    state.pendingSeek = { previous: state.pendingSeek === undefined ? state.position : state.pendingSeek.previous }
    this.moveTo(state, offset)
  }

  async seekToBeginning(partitions?: readonly TopicPartition[]): Promise<void> {
    await this.seekToRange(partitions, 'start')
  }

  async seekToEnd(partitions?: readonly TopicPartition[]): Promise<void> {
    await this.seekToRange(partitions, 'end')
  }

  async seekToTimestamp(partition: TopicPartition, timestamp: number): Promise<void> {
    const state = this.states.get(partition)
    const offsets = await this.host.offsets.atTimestamp(partition.topic, timestamp)
    const offset = offsets.get(partition.partition)
    if (offset === undefined) throw new UnknownTopicOrPartitionError(partition.topic, partition.partition)
    state.pendingSeek = undefined
    this.moveTo(state, offset)
  }

  position(partition: TopicPartition): number {
    const state = this.states.get(partition)
    if (state.position !== undefined) return state.position
    throw state.failure ?? new OffsetOutOfRangeError(partition.topic, partition.partition, Number.NaN, state.range.start, state.range.end)
  }

  currentLag(partition: TopicPartition): number | undefined {
    const state = this.states.get(partition)
    return state.position === undefined ? undefined : Math.max(0, state.range.end - state.position)
  }

  pause(partitions: readonly TopicPartition[]): void {
    const states = this.states.list(partitions)
    for (const state of states) state.paused = true
    this.session?.pause(partitions)
    // Every batch fetched stays, the one waiting behind the one being read too, resolved now that
    // kafkajs fetches the partition no more: on resume kafkajs fetches after it. (Dropping it, as
    // this did, had kafkajs fetch and decode it again after every pause: under exactly_once, where
    // a task's input piles up while its transaction commits, over half of a q2 run's decoding.)
    for (const state of states) this.buffer.holdWaiting(state.key)
  }

  resume(partitions: readonly TopicPartition[]): void {
    const states = this.states.list(partitions)
    for (const state of states) state.paused = false
    this.session?.resume(states.filter((state) => state.fetching).map((state) => state.topicPartition))
  }

  async commit(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen()
    const groupId = this.requireGroup('commit')
    const toCommit = offsets ?? this.states.list().flatMap((state) => (state.position === undefined ? [] : [{ ...state.topicPartition, offset: state.position }]))
    if (toCommit.length === 0) return
    if (this.mode !== 'subscribed' || this.session === undefined) return commitOutsideGroup(this.host, groupId, toCommit)
    if (!this.group.joined) {
      throw new LogError('TRIBUTARY_KAFKA', `cannot commit for group ${groupId} yet: the consumer has not joined it; poll first`, { retriable: true })
    }
    await this.session.commit(toCommit, groupId)
  }

  async committed(partitions: readonly TopicPartition[]): Promise<(number | undefined)[]> {
    return this.host.offsets.committed(this.requireGroup('committed'), partitions)
  }

  /** Runs onRevoked for what the member owns (it may still commit there), then leaves the group. */
  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.leave()
    } finally {
      this.closed = true
      this.host.forget(this)
      await this.stopSession()
      this.signal.notify()
    }
  }

  /** Ends the current subscription or assignment: a group member first gives up its partitions (onRevoked). */
  private async leave(): Promise<void> {
    if (this.mode === 'subscribed') await this.group.revokeAll()
    await this.stopSession()
  }

  /** Moves a partition's position; kafkajs follows once it has joined its group. */
  private moveTo(state: PartitionState, offset: number): void {
    this.reader.moveTo(state, offset)
    if (!state.fetching) this.group.activate(state)
  }

  private async seekToRange(partitions: readonly TopicPartition[] | undefined, end: 'start' | 'end'): Promise<void> {
    const states = this.states.list(partitions)
    const ranges = await this.host.offsets.rangesOf(states.map((state) => state.topicPartition))
    for (const state of states) {
      const range = ranges.get(state.key)
      if (range === undefined) continue
      state.range = range
      state.pendingSeek = undefined
      this.moveTo(state, range[end])
    }
  }

  private async startSession(groupId: string, topics: readonly string[], assigner: PartitionAssigner, holdJoin: () => boolean): Promise<void> {
    const gate = new JoinGate(holdJoin, () => this.signal.notify())
    this.group.gate = gate
    this.session = await KafkaJsSession.start(
      {
        options: this.host.options,
        groupId,
        topics,
        assigner,
        gate,
        isolation: this.options.isolation ?? 'read_committed',
        sessionTimeoutMs: this.options.sessionTimeoutMs ?? this.host.options.sessionTimeoutMs,
      },
      this.sessionEvents(this.sessionGeneration),
    )
  }

  private sessionEvents(generation: number): SessionEvents {
    const current = () => generation === this.sessionGeneration
    return {
      onJoin: (assignment) => {
        if (!current()) return
        this.group.joinedWith(assignment)
        this.signal.notify()
      },
      onCrash: (error) => {
        if (!current()) return
        this.crash = error
        this.buffer.releaseAll()
        this.signal.notify()
      },
      onSkipped: (topicPartition, firstOffset, nextOffset) => {
        const state = this.states.find(topicPartition)
        if (!current() || state === undefined || !state.fetching) return
        const fromSeek = state.soughtTo
        state.soughtTo = undefined
        // Right after the batches queued: reading goes on past them once those are taken.
        if (this.buffer.skipped(state.key, firstOffset, nextOffset)) return
        // Else only from the position on, with nothing fetched waiting: else it is a stale fetch.
        // The first fetch after a seek to the position started there: offsets below its first
        // record hold nothing (removed by compaction).
        const position = state.position
        if (position === undefined || this.buffer.get(state.key) !== undefined) return
        if (firstOffset !== position && !(fromSeek === position && firstOffset > position)) return
        state.position = nextOffset
        this.signal.notify()
      },
      onBatch: async (batch, keepAlive) => {
        const state = this.states.find(batch.topicPartition)
        if (state !== undefined) state.soughtTo = undefined
        if (!current() || this.closed || state === undefined || !state.fetching || state.paused) return undefined
        return this.buffer.park(batch, keepAlive, this.host.options.heartbeatIntervalMs)
      },
    }
  }

  private async stopSession(): Promise<void> {
    const session = this.session
    this.session = undefined
    this.sessionGeneration++
    this.group.reset()
    this.buffer.releaseAll()
    this.states.clear()
    this.crash = undefined
    await session?.stop()
  }

  private requireGroup(operation: string): string {
    if (this.options.groupId === undefined) throw new ConfigError('groupId', `a consumer needs a groupId to ${operation}`)
    return this.options.groupId
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('consumer')
    this.host.checkOpen()
  }
}
