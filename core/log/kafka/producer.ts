import './kafkajs-fixes.js'
import kafkajs, { type Kafka, type Producer as KafkaJsProducer } from 'kafkajs'
import { ConfigError } from '../../errors.js'
import { ClosedError, TransactionStateError } from '../errors.js'
import type { Producer, ProducerOptions, ProducerRecord, RecordMetadata, Transaction } from '../types.js'
import { toLogError } from './errors.js'
import type { ResolvedKafkaLogOptions } from './options.js'
import { sendPlanned, type BatchSender } from './send-batches.js'
import { planSend } from './send-plan.js'
import type { TopicInfoCache } from './topic-cache.js'
import { KafkaTransaction } from './transaction.js'

/** What a producer needs of the Kafka log it belongs to. */
export interface KafkaProducerHost {
  readonly options: ResolvedKafkaLogOptions
  readonly client: Kafka
  readonly topicCache: TopicInfoCache
  /** Throws ClosedError once the log is closed. */
  checkOpen(): void
  /** Called when the producer closes, so the log stops tracking it. */
  forget(producer: KafkaProducer): void
}

/**
 * Retries of a send when the log's options give no `retry.retries`. kafkajs means an idempotent
 * producer to retry without limit, but its client always hands the producer a retry object, so
 * the producer falls back to the client's 5 retries: about 9 s of waits, less than it takes a
 * cluster to fence a crashed broker and move its leaderships (a send then failed although the
 * cluster took writes again moments later). 10 retries wait about two minutes in all (0.3 s
 * doubling up to 30 s), as Java's `delivery.timeout.ms`; an idempotent producer's retries cannot
 * duplicate or reorder records. (kafkajs warns, at clientLogLevel `warn`, that limited retries
 * may invalidate exactly-once: they do not, a send that runs out of them fails.)
 */
const SEND_RETRIES = 10

/**
 * A producer on Kafka: an idempotent kafkajs producer (acks from all in-sync replicas, retries
 * that cannot duplicate or reorder), never creating topics. Sends of one producer go out one
 * after another, so records keep their order per partition across sends.
 *
 * @example
 * const producer = log.producer()
 * const [metadata] = await producer.send([{ topic: 'orders', key: Buffer.from('k'), value: Buffer.from('v') }])
 */
export class KafkaProducer implements Producer {
  private closed = false
  private readonly producer: KafkaJsProducer
  private connected: Promise<void>
  private readonly roundRobin = new Map<string, number>()
  private queue: Promise<unknown> = Promise.resolve()
  private transaction: KafkaTransaction | undefined

  constructor(
    private readonly host: KafkaProducerHost,
    private readonly options: ProducerOptions,
  ) {
    this.producer = host.client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: host.options.retry.retries ?? SEND_RETRIES },
      // Every record is given its partition (see send-plan.ts); this only silences kafkajs's notice.
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
    })
    this.connected = this.producer.connect()
    // Awaited by every send; this only keeps a failed connect from being an unhandled rejection.
    this.connected.catch(() => undefined)
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.checkOpen()
    return this.sendWith(this.producer, records)
  }

  async beginTransaction(): Promise<Transaction> {
    this.checkOpen()
    const transactionalId = this.options.transactionalId
    if (transactionalId === undefined) throw new ConfigError('transactionalId', 'a producer needs a transactionalId to use transactions')
    if (this.transaction?.isOpen) throw new TransactionStateError(`transaction ${transactionalId} is already open; commit or abort it first`)
    await this.ready()
    try {
      this.transaction = new KafkaTransaction(this, await this.producer.transaction(), transactionalId)
    } catch (error) {
      throw toLogError(error, { operation: 'beginTransaction', transactionalId })
    }
    return this.transaction
  }

  async close(): Promise<void> {
    if (this.closed) return
    if (this.transaction?.isOpen) await this.transaction.abort().catch(() => undefined)
    this.closed = true
    this.host.forget(this)
    await this.queue.catch(() => undefined)
    await this.producer.disconnect().catch(() => undefined)
  }

  /** @internal Sends through the producer or one of its transactions, after the sends before it. */
  sendWith(sender: BatchSender, records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    const transactionalId = sender === this.producer ? undefined : this.options.transactionalId
    const work = this.queue.then(async () => {
      this.checkOpen()
      if (records.length === 0) return []
      await this.ready()
      const cache = this.host.topicCache
      const plan = await planSend(records, cache, this.roundRobin)
      return sendPlanned(sender, records, plan, {
        ...(transactionalId === undefined ? {} : { transactionalId }),
        onFailure: (topic) => cache.forget(topic),
      })
    })
    this.queue = work.catch(() => undefined)
    return work
  }

  /** @internal Throws ClosedError once the producer or its log is closed. */
  checkOpen(): void {
    if (this.closed) throw new ClosedError('producer')
    this.host.checkOpen()
  }

  /** Waits for the connection; after a failed one, the next call connects again. */
  private async ready(): Promise<void> {
    const connected = this.connected
    try {
      await connected
    } catch (error) {
      if (this.connected === connected && !this.closed) {
        this.connected = this.producer.connect()
        this.connected.catch(() => undefined)
      }
      throw toLogError(error, { operation: 'connect producer' })
    }
  }
}
