import { inspect } from 'node:util'
import type { Log, Producer, ProducerRecord, Transaction } from '../../core/log/types.js'
import type { SerdeContext } from '../../core/serde/types.js'
import { ConfigError } from '../../core/errors.js'
import { ConnectorError } from '../api/errors.js'
import type { RejectedInput, SourceBatch, SourceConnector, SourceContext, SourceTask } from '../api/types.js'
import { scrubError, type RunnerOptions } from './context.js'
import { rejectedRecord } from './dead-letters.js'
import { ensureTopic, OffsetStore } from './offset-store.js'
import { topicAt } from './resolved-spec.js'
import { isRetriable, StoppedError } from './retry.js'
import { RunnerCore } from './runner-core.js'
import type { SourceSpec } from './spec.js'

/** Sends kept in flight at once under at_least_once before the runner waits for the oldest. */
const MAX_IN_FLIGHT = 8

/**
 * Runs one source connector: polls its task, writes what it returns to the log, and stores the
 * task's offsets in the log once the records before them are durable (under exactly_once, in the
 * same transaction as the records). A restarted source resumes from the stored offsets.
 *
 * @example
 * const runner = new SourceRunner(log, { name: 'orders-file', connector: fileSource, topic: 'orders', config: { path: 'in.jsonl' } })
 * await runner.start()
 * await runner.stop()
 */
export class SourceRunner extends RunnerCore {
  private readonly connector: SourceConnector<never, unknown, unknown>
  private readonly topic: string
  private readonly exactlyOnce: boolean
  private readonly partitions: number
  private readonly knownTopics = new Set<string>()
  private readonly newTopics = new Set<string>()
  private offsets!: OffsetStore
  private producer!: Producer
  private task: SourceTask<unknown, unknown> | undefined
  private transaction: Transaction | undefined
  private inFlight: Promise<unknown>[] = []
  private lastCommit = 0
  private stopping = false

  constructor(private readonly log: Log, spec: SourceSpec, options: RunnerOptions = {}) {
    super(spec as SourceSpec<never, never, never>, 'source', options)
    this.connector = this.resolved.connector as SourceConnector<never, unknown, unknown>
    this.topic = topicAt(spec.topic, `connectors.${this.name}.topic`)
    this.exactlyOnce = (spec.processing ?? 'at_least_once') === 'exactly_once'
    if (spec.processing !== undefined && spec.processing !== 'at_least_once' && spec.processing !== 'exactly_once') {
      throw new ConfigError(`connectors.${this.name}.processing`, `must be "at_least_once" or "exactly_once", got ${JSON.stringify(spec.processing)}`)
    }
    this.partitions = spec.partitions ?? 1
    if (!Number.isSafeInteger(this.partitions) || this.partitions < 1) throw new ConfigError(`connectors.${this.name}.partitions`, `must be a positive integer, got ${String(spec.partitions)}`)
  }

  /** Creates the topics it needs, loads its offsets, starts the task and the poll loop. */
  async start(): Promise<void> {
    try {
      await ensureTopic(this.log, this.topic, this.partitions)
      this.knownTopics.add(this.topic)
      if (this.resolved.deadLetterTopic !== undefined) {
        await ensureTopic(this.log, this.resolved.deadLetterTopic)
        this.knownTopics.add(this.resolved.deadLetterTopic)
      }
      // Under exactly_once the transactional producer comes first: it fences an older instance and aborts its open transaction, so the offsets read next are final.
      this.producer = this.log.producer(this.exactlyOnce ? { transactionalId: `connect-${this.name}` } : {})
      if (this.exactlyOnce) await this.producer.beginTransaction().then((transaction) => transaction.abort())
      this.offsets = await OffsetStore.load(this.log, this.name)
      this.task = await this.startTask()
    } catch (error) {
      await this.producer?.close().catch(() => undefined)
      throw scrubError(error, this.resolved.secrets)
    }
    this.lastCommit = this.clock.now()
    this.logger.info(`started (${this.connector.name} → ${this.topic}, ${this.exactlyOnce ? 'exactly_once' : 'at_least_once'})`)
    this.loopDone = this.loop()
    this.loopDone.catch(() => undefined) // observed through `done`
  }

  /** Stops polling, writes and commits what was polled, and stops the task. */
  async stop(): Promise<void> {
    this.stopping = true
    this.controller.abort()
    await this.loopDone.catch(() => undefined)
  }

  private async startTask(): Promise<SourceTask<unknown, unknown>> {
    const offsets = this.offsets
    const context: SourceContext<unknown, unknown> = {
      name: this.name,
      logger: this.logger,
      metrics: this.board.forConnector,
      clock: this.clock,
      signal: this.controller.signal,
      serdes: { key: this.resolved.key, value: this.resolved.value },
      offset: (partition) => offsets.get(partition),
      offsets: () => offsets.all(),
      pollTimeoutMs: Math.min(500, this.resolved.commitIntervalMs),
    }
    return this.connector.start(this.resolved.config as never, context as SourceContext<never, never>) as Promise<SourceTask<unknown, unknown>>
  }

  private async loop(): Promise<void> {
    let failure: unknown
    try {
      let restarts = 0
      while (!this.stopping) {
        try {
          const batch = await this.retrying('poll', () => this.task!.poll())
          await this.write(batch)
          if (this.clock.now() - this.lastCommit >= this.resolved.commitIntervalMs) await this.commit()
          restarts = 0
        } catch (error) {
          if (error instanceof StoppedError || this.stopping) break
          // Under exactly_once a failed transaction is aborted and the task started again from the stored offsets.
          if (!this.exactlyOnce || !isRetriable(error) || restarts >= this.resolved.retry.max) throw error
          restarts++
          this.board.values.retries++
          this.logger.warn(`a transaction failed (${(error as Error).message}); aborting it and restarting the task from the stored offsets (${restarts} of ${this.resolved.retry.max})`)
          await this.restartTask()
        }
      }
      await this.commit()
    } catch (error) {
      failure = error
    }
    try {
      if (failure !== undefined && this.transaction !== undefined) await this.transaction.abort().catch(() => undefined)
      await this.task?.stop?.()
    } catch (error) {
      failure ??= error
    } finally {
      await this.producer.close().catch(() => undefined)
    }
    if (failure !== undefined) {
      this.logger.error(`stopped by an error: ${(failure as Error).message}`)
      throw scrubError(failure, this.resolved.secrets)
    }
    this.logger.info('stopped')
  }

  private async restartTask(): Promise<void> {
    await this.transaction?.abort().catch(() => undefined)
    this.transaction = undefined
    this.inFlight = []
    this.offsets.drain() // the pending offsets belong to the aborted records
    await this.task?.stop?.().catch(() => undefined)
    this.task = await this.startTask()
  }


  private async write(batch: SourceBatch<unknown, unknown>): Promise<void> {
    const records = this.serialize(batch)
    for (const rejected of batch.rejected ?? []) records.push(this.deadLetter(rejected))
    if (records.length > 0) {
      if (this.newTopics.size > 0) await this.ensureTopics()
      if (this.exactlyOnce) {
        this.transaction ??= await this.producer.beginTransaction()
        await this.transaction.send(records)
        this.board.values.records += records.length
      } else {
        const sent = this.retrying('send', () => this.producer.send(records)).then(() => {
          this.board.values.records += records.length
        })
        sent.catch(() => undefined) // awaited at the commit
        this.inFlight.push(sent)
        if (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift()
      }
    }
    if (batch.offsets !== undefined && batch.offsets.length > 0) this.offsets.advance(batch.offsets)
  }

  private serialize(batch: SourceBatch<unknown, unknown>): ProducerRecord[] {
    const records: ProducerRecord[] = []
    const now = this.clock.now()
    const { key: keySerde, value: valueSerde } = this.resolved
    for (const record of batch.records) {
      const topic = record.topic ?? this.topic
      if (record.topic !== undefined && !this.knownTopics.has(topic)) this.newTopics.add(topic)
      try {
        const key = record.key === undefined || record.key === null ? null : keySerde.serialize(record.key, { topic, isKey: true } satisfies SerdeContext)
        const value = record.value === null ? null : valueSerde.serialize(record.value, { topic, isKey: false } satisfies SerdeContext)
        records.push({ topic, key, value, ...(record.partition === undefined ? {} : { partition: record.partition }), ...(record.headers === undefined ? {} : { headers: record.headers }), timestamp: record.timestamp ?? now })
      } catch (error) {
        const shown = safeJson(record.value)
        records.push(this.deadLetter({ input: shown, error: error as Error, location: `topic ${topic}` }))
      }
    }
    return records
  }

  private deadLetter(rejected: RejectedInput): ProducerRecord {
    const topic = this.resolved.deadLetterTopic
    if (topic === undefined) {
      throw new ConnectorError(this.name, `${rejected.location === undefined ? 'an input' : rejected.location} was rejected and no deadLetterTopic is configured: ${rejected.error.message}`, { cause: rejected.error })
    }
    this.board.values.deadLettered++
    return rejectedRecord(topic, this.name, rejected, this.resolved.secrets, this.clock.now())
  }

  /** Creates the topics records named for the first time (a record's own `topic`). */
  private async ensureTopics(): Promise<void> {
    for (const topic of this.newTopics) {
      await ensureTopic(this.log, topicAt(topic, `connectors.${this.name} record topic`), this.partitions)
      this.knownTopics.add(topic)
    }
    this.newTopics.clear()
  }

  /** Makes what was polled durable, stores the offsets, and tells the task. */
  private async commit(): Promise<void> {
    this.lastCommit = this.clock.now()
    if (this.exactlyOnce) {
      if (this.transaction === undefined && !this.offsets.hasPending) return
      const transaction = this.transaction ?? (await this.producer.beginTransaction())
      this.transaction = undefined
      const { records, committed } = this.offsets.drain()
      if (records.length > 0) await transaction.send(records)
      await transaction.commit()
      committed()
    } else {
      const pending = this.inFlight
      this.inFlight = []
      await Promise.all(pending)
      if (this.offsets.hasPending) {
        const { records, committed } = this.offsets.drain()
        try {
          await this.retrying('storing offsets', () => this.producer.send(records))
        } catch (error) {
          this.offsets.restore(records)
          throw error
        }
        committed()
      } else if (pending.length === 0) return
    }
    this.board.values.commits++
    await this.task?.commit?.()
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return inspect(value, { depth: 4, breakLength: Infinity })
  }
}
