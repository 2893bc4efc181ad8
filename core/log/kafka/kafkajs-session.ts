/**
 * One running kafkajs consumer: it joins its group, fetches, and hands each batch to the log's
 * consumer. kafkajs resolves its own start offsets, so every partition is paused the moment a
 * join completes (the event fires inside kafkajs before its first fetch) and fetched only once
 * the log's consumer has sought it to the position it decided. It never commits on its own.
 */
import type { Batch, Consumer as KafkaJsConsumer, PartitionAssigner } from 'kafkajs'
import { partitionKey } from '../engine/partition-key.js'
import { LogError } from '../errors.js'
import type { IsolationLevel, TopicPartition, TopicPartitionOffset } from '../types.js'
import { createKafkaClient } from './client.js'
import { toLogError } from './errors.js'
import type { FetchedBatch, KeepAlive } from './fetch-buffer.js'
import type { JoinGate } from './join-gate.js'
import type { ResolvedKafkaLogOptions } from './options.js'
import { toLogRecord } from './records.js'

/** How many partitions' batches kafkajs hands over at once (each waits in eachBatch until polled). */
const PARTITIONS_IN_FLIGHT = 32
/** kafkajs's own default for a consumer's retries (it does not take the client's), kept as it was. */
const CONSUMER_RETRIES = 5

export interface SessionEvents {
  /** A join completed with this assignment. Called inside kafkajs, before it fetches. */
  onJoin(assignment: readonly TopicPartition[]): void
  /** kafkajs stopped for good (it restarts on its own from retriable failures). */
  onCrash(error: unknown): void
  /** A fetched batch; resolves with the last offset taken of it. */
  onBatch(batch: FetchedBatch, keepAlive: KeepAlive): Promise<number | undefined>
  /**
   * kafkajs fetched offsets `firstOffset` .. `nextOffset - 1` and found nothing to hand over
   * (aborted records and control records only, under read_committed), and moved past them.
   */
  onSkipped(topicPartition: TopicPartition, firstOffset: number, nextOffset: number): void
}

export interface SessionSettings {
  readonly options: ResolvedKafkaLogOptions
  readonly groupId: string
  readonly topics: readonly string[]
  readonly assigner: PartitionAssigner
  readonly gate: JoinGate
  readonly isolation: IsolationLevel
  readonly sessionTimeoutMs: number
}

export class KafkaJsSession {
  /** Set by `stop`: kafkajs must not start this consumer again, nor report its failures. */
  private stopped = false

  private constructor(private readonly consumer: KafkaJsConsumer) {}

  /**
   * Connects, subscribes and starts consuming; resolves before the group join completes (the
   * join may wait for other members, which rejoin when they poll).
   *
   * @example
   * const session = await KafkaJsSession.start({ options, groupId, topics: ['orders'], assigner, gate, isolation: 'read_committed', sessionTimeoutMs: 45_000 }, events)
   */
  static async start(settings: SessionSettings, events: SessionEvents): Promise<KafkaJsSession> {
    const { options } = settings
    let session: KafkaJsSession | undefined
    const consumer = createKafkaClient(options, settings.gate.socketFactory()).consumer({
      groupId: settings.groupId,
      partitionAssigners: [settings.assigner],
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: options.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
      readUncommitted: settings.isolation === 'read_uncommitted',
      // Asked after a retriable failure: a stopped session's consumer stays stopped.
      retry: { retries: CONSUMER_RETRIES, restartOnFailure: async () => session?.stopped !== true },
    })
    session = new KafkaJsSession(consumer)
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assignment = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
      session.pause(assignment)
      events.onJoin(assignment)
    })
    // kafkajs never calls eachBatch for a fetch whose records were all filtered out; this event is its only trace.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || payload.firstOffset === null) return
      events.onSkipped({ topic: payload.topic, partition: payload.partition }, Number(payload.firstOffset), Number(payload.lastOffset) + 1)
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (session.stopped) return
      if (!payload.restart) {
        events.onCrash(payload.error)
        return
      }
      // kafkajs starts its consumer again, which joins the group as a new member (its member id
      // is not kept): the group may wait for the member it was, up to the session timeout.
      options.logger.warn(`the consumer of group ${settings.groupId} failed (${payload.error.message}); kafkajs restarts it, and it rejoins the group as a new member`)
    })
    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [...settings.topics], fromBeginning: true })
    } catch (error) {
      await consumer.disconnect().catch(() => undefined)
      throw toLogError(error, { operation: 'subscribe', groupId: settings.groupId })
    }
    consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: PARTITIONS_IN_FLIGHT,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (batch.messages.length === 0 || isStale() || !isRunning()) return
          const resolveTo = await events.onBatch(fetchedBatch(batch), { heartbeat, isObsolete: () => isStale() || !isRunning() })
          if (resolveTo !== undefined) resolveOffset(String(resolveTo))
        },
      })
      .catch((error: unknown) => events.onCrash(error))
    return session
  }

  /** Where kafkajs fetches the partition next. Ignored while kafkajs is between members (the next join re-seeks). */
  seek({ topic, partition }: TopicPartition, offset: number): void {
    this.whileRunning(() => this.consumer.seek({ topic, partition, offset: String(offset) }))
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0) this.whileRunning(() => this.consumer.pause(byTopic(partitions)))
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length > 0) this.whileRunning(() => this.consumer.resume(byTopic(partitions)))
  }

  /** Commits as the member kafkajs is (its member id and generation). */
  async commit(offsets: readonly TopicPartitionOffset[], groupId: string): Promise<void> {
    try {
      await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })))
    } catch (error) {
      if (isWithoutGroup(error)) {
        // kafkajs restarts after a retriable failure (its group coordinator gone with a crashed
        // broker, say) and has no member until it has joined again: a commit then can wait.
        throw new LogError('TRIBUTARY_KAFKA', `cannot commit for group ${groupId} now: the consumer is rejoining the group after a failure; commit again after the next poll`, {
          retriable: true,
          cause: error,
        })
      }
      const first = offsets[0]
      throw toLogError(error, { operation: 'commit', groupId, ...(first === undefined ? {} : { topic: first.topic }) })
    }
  }

  /** Leaves the group and closes the connections; kafkajs does not start this consumer again. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.consumer.disconnect().catch(() => undefined)
    // kafkajs sets its restart timer after telling its listeners of a crash, and cancels it in
    // disconnect: a stop that came between the two (from a listener, or a logger one calls)
    // found no timer to cancel. The restart decision was made before the stop, so disconnect
    // again now that the timer is set.
    await this.consumer.disconnect().catch(() => undefined)
  }

  private whileRunning(action: () => void): void {
    try {
      action()
    } catch {
      // kafkajs refuses while it has no consumer group (not yet started, or restarting after a
      // crash); its next join pauses every partition and the log's consumer seeks them again.
    }
  }
}

/** A kafkajs batch (never empty here) as the fetch buffer's. */
function fetchedBatch(batch: Batch): FetchedBatch {
  const { topic, partition } = batch
  const records = batch.messages.map((message) => toLogRecord(topic, partition, message))
  return {
    key: partitionKey(topic, partition),
    topicPartition: { topic, partition },
    fetchedOffset: fetchedOffsetOf(batch, records[0]?.offset ?? 0),
    nextOffset: Number(batch.lastOffset()) + 1,
    highWatermark: Number(batch.highWatermark),
    records,
  }
}

/** The offset the fetch asked for: kafkajs keeps it on the batch without typing it. */
function fetchedOffsetOf(batch: Batch, fallback: number): number {
  const value: unknown = Reflect.get(batch, 'fetchedOffset')
  const offset = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN
  return Number.isSafeInteger(offset) ? offset : fallback
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>()
  for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition])
  return [...topics].map(([topic, numbers]) => ({ topic, partitions: numbers }))
}

/** kafkajs's refusal while it has no consumer group (not yet started, or restarting after a crash); it has no error type for it. */
function isWithoutGroup(error: unknown): boolean {
  return error instanceof Error && error.name === 'KafkaJSNonRetriableError' && error.message.startsWith('Consumer group was not initialized')
}
