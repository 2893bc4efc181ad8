import type { Consumer, Log, LogRecord, Producer, TopicPartition, TopicPartitionOffset } from '../../core/log/types.js'
import { ConnectorError } from '../api/errors.js'
import type { SinkConnector, SinkContext, SinkRecord, SinkTask } from '../api/types.js'
import { scrubError, type RunnerOptions } from './context.js'
import { sinkDeadLetter } from './dead-letters.js'
import { ensureTopic } from './offset-store.js'
import { topicAt } from './resolved-spec.js'
import { StoppedError } from './retry.js'
import { RunnerCore } from './runner-core.js'
import type { ConnectorRunnerMetrics, SinkSpec } from './spec.js'
import { ConfigError } from '../../core/errors.js'

/**
 * Runs one sink connector: reads its topics as consumer group `connect-<name>`, converts each
 * record with the connector's serdes, hands batches to `put`, and commits the consumer offsets
 * only after `flush` has resolved (and every dead-lettered record is durable). A record that
 * cannot be converted or that the sink refuses goes to the dead-letter topic.
 *
 * @example
 * const runner = new SinkRunner(log, { name: 'orders-db', connector: postgresSink, topics: ['orders'], config })
 * await runner.start()
 */
export class SinkRunner extends RunnerCore {
  private readonly connector: SinkConnector<never, unknown, unknown>
  private readonly topics: readonly string[]
  private readonly batchSize: number
  private readonly raw = new WeakMap<SinkRecord<unknown, unknown>, LogRecord>()
  /** Next offset to commit per partition: one past the last record put. */
  private readonly positions = new Map<string, TopicPartitionOffset>()
  private consumer!: Consumer
  private deadLetters: Producer | undefined
  private pendingDeadLetters: Promise<unknown>[] = []
  private task: SinkTask<unknown, unknown> | undefined
  private lastCommit = 0
  private unflushed = false
  /** Set once the task failed or was stopped: nothing more is flushed or committed (a revocation at close included). */
  private finished = false
  private stopping = false

  constructor(private readonly log: Log, spec: SinkSpec, options: RunnerOptions = {}) {
    super(spec as SinkSpec<never, never, never>, 'sink', options)
    this.connector = this.resolved.connector as SinkConnector<never, unknown, unknown>
    const topics: unknown = spec.topics
    if (!Array.isArray(topics) || topics.length === 0) throw new ConfigError(`connectors.${this.name}.topics`, 'must be a list of at least one topic to read')
    this.topics = topics.map((topic, index) => topicAt(topic, `connectors.${this.name}.topics[${index}]`))
    this.batchSize = spec.batchSize ?? 1_000
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1) throw new ConfigError(`connectors.${this.name}.batchSize`, `must be a positive integer, got ${String(spec.batchSize)}`)
  }

  override metrics(): ConnectorRunnerMetrics {
    return { ...super.metrics(), lag: this.lag() }
  }

  private lag(): { topic: string; partition: number; lag: number }[] {
    if (this.consumer === undefined || this.finished) return []
    return this.consumer.assignment().map((partition) => ({ ...partition, lag: this.consumer.currentLag(partition) ?? 0 }))
  }

  async start(): Promise<void> {
    try {
      for (const topic of this.topics) await ensureTopic(this.log, topic)
      if (this.resolved.deadLetterTopic !== undefined) {
        await ensureTopic(this.log, this.resolved.deadLetterTopic)
        this.deadLetters = this.log.producer()
      }
      this.task = await this.startTask()
      this.consumer = this.log.consumer({ groupId: `connect-${this.name}`, isolation: 'read_committed', autoOffsetReset: 'earliest', maxPollRecords: this.batchSize })
      await this.consumer.subscribe(this.topics, { onRevoked: (partitions) => this.onRevoked(partitions) })
    } catch (error) {
      await this.task?.stop?.().catch(() => undefined)
      await this.deadLetters?.close().catch(() => undefined)
      throw scrubError(error, this.resolved.secrets)
    }
    this.lastCommit = this.clock.now()
    this.logger.info(`started (${this.topics.join(', ')} → ${this.connector.name})`)
    this.loopDone = this.loop()
    this.loopDone.catch(() => undefined)
  }

  /** Stops reading, flushes what was put, commits, and stops the task. */
  async stop(): Promise<void> {
    this.stopping = true
    this.controller.abort()
    this.consumer?.wakeup()
    await this.loopDone.catch(() => undefined)
  }

  private startTask(): Promise<SinkTask<unknown, unknown>> {
    const context: SinkContext<unknown, unknown> = {
      name: this.name,
      logger: this.logger,
      metrics: this.board.forConnector,
      clock: this.clock,
      signal: this.controller.signal,
      serdes: { key: this.resolved.key, value: this.resolved.value },
      deadLetter: (record, error) => {
        const raw = this.raw.get(record)
        if (raw === undefined) return Promise.reject(new ConnectorError(this.name, 'deadLetter was given a record that is not one the runner handed to put'))
        return this.deadLetter(raw, error)
      },
    }
    return this.connector.start(this.resolved.config as never, context as SinkContext<never, never>) as Promise<SinkTask<unknown, unknown>>
  }

  private async loop(): Promise<void> {
    let failure: unknown
    try {
      while (!this.stopping) {
        const records = await this.consumer.poll({ timeoutMs: Math.min(500, this.resolved.commitIntervalMs) })
        if (records.length > 0) await this.put(records)
        if (this.clock.now() - this.lastCommit >= this.resolved.commitIntervalMs) await this.commit()
      }
    } catch (error) {
      if (!(error instanceof StoppedError)) failure = error
    }
    try {
      if (failure === undefined) await this.commit(true)
    } catch (error) {
      failure = error
    }
    this.finished = true
    try {
      await this.task?.stop?.()
    } catch (error) {
      failure ??= error
    }
    await this.consumer.close().catch(() => undefined)
    await this.deadLetters?.close().catch(() => undefined)
    if (failure !== undefined) {
      this.logger.error(`stopped by an error: ${(failure as Error).message}`)
      throw scrubError(failure, this.resolved.secrets)
    }
    this.logger.info('stopped')
  }

  private async put(records: readonly LogRecord[]): Promise<void> {
    const converted: SinkRecord<unknown, unknown>[] = []
    const { key: keySerde, value: valueSerde } = this.resolved
    for (const record of records) {
      try {
        const key = record.key === null ? null : keySerde.deserialize(record.key, { topic: record.topic, isKey: true, headers: record.headers })
        const value = record.value === null ? null : valueSerde.deserialize(record.value, { topic: record.topic, isKey: false, headers: record.headers })
        const sinkRecord: SinkRecord<unknown, unknown> = { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, key, value, headers: record.headers }
        this.raw.set(sinkRecord, record)
        converted.push(sinkRecord)
      } catch (error) {
        await this.deadLetter(record, error as Error)
      }
    }
    if (converted.length > 0) {
      await this.retrying('put', () => this.task!.put(converted))
      this.board.values.records += converted.length
    }
    for (const record of records) this.positions.set(`${record.topic}\u0000${record.partition}`, { topic: record.topic, partition: record.partition, offset: record.offset + 1 })
    this.unflushed = true
  }

  private deadLetter(record: LogRecord, error: Error): Promise<void> {
    const topic = this.resolved.deadLetterTopic
    if (topic === undefined || this.deadLetters === undefined) {
      return Promise.reject(new ConnectorError(this.name, `the record at ${record.topic}[${record.partition}]@${record.offset} could not be converted or written, and no deadLetterTopic is configured: ${error.message}`, { cause: error }))
    }
    this.board.values.deadLettered++
    const sent = this.deadLetters.send([sinkDeadLetter(topic, this.name, record, error, this.resolved.secrets)]).then(() => undefined)
    this.pendingDeadLetters.push(sent)
    sent.catch(() => undefined) // awaited at the commit
    return sent
  }

  /** Flushes the sink and waits for the dead letters, then commits the positions of what was put. */
  private async commit(final = false): Promise<void> {
    this.lastCommit = this.clock.now()
    if (!this.unflushed) return
    // The last flush at stop still retries: the stop signal must not cut it short.
    await this.retrying('flush', () => this.task!.flush(), final ? new AbortController().signal : this.controller.signal)
    const deadLetters = this.pendingDeadLetters
    this.pendingDeadLetters = []
    await Promise.all(deadLetters)
    const offsets = [...this.positions.values()]
    await this.consumer.commit(offsets)
    this.unflushed = false
    this.board.values.commits++
  }

  private async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    if (this.finished) return
    await this.commit(this.stopping)
    for (const partition of partitions) this.positions.delete(`${partition.topic}\u0000${partition.partition}`)
  }

}
