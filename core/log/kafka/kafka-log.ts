import type { Admin, Kafka } from 'kafkajs'
import { ClosedError } from '../errors.js'
import type { Consumer, ConsumerOptions, Log, Producer, ProducerOptions, TopicConfig, TopicDescription, TopicPartitionOffset } from '../types.js'
import { createKafkaClient } from './client.js'
import { KafkaConsumer, type KafkaConsumerHost } from './consumer.js'
import { deleteKafkaRecords } from './delete-records.js'
import { toLogError } from './errors.js'
import { OffsetLookup } from './offset-lookup.js'
import { resolveKafkaLogOptions, type KafkaLogOptions, type ResolvedKafkaLogOptions } from './options.js'
import { KafkaProducer, type KafkaProducerHost } from './producer.js'
import { TopicAdmin } from './topic-admin.js'
import { TopicInfoCache } from './topic-cache.js'

/**
 * The log contract over an Apache Kafka cluster, through kafkajs. Topics are Kafka topics (never
 * created implicitly), producers are idempotent, consumers read through kafkajs consumer groups.
 * See `openKafkaLog`.
 */
export class KafkaLog implements Log {
  readonly backend = 'kafka' as const
  private readonly admin: Admin
  private readonly topics: TopicAdmin
  private readonly topicCache: TopicInfoCache
  private readonly host: KafkaProducerHost & KafkaConsumerHost
  private readonly clients = new Set<Producer | Consumer>()
  private closed = false

  private constructor(options: ResolvedKafkaLogOptions, client: Kafka, admin: Admin) {
    this.admin = admin
    const offsets = new OffsetLookup(admin)
    this.topics = new TopicAdmin(admin, offsets, options, options.requestTimeoutMs)
    this.topicCache = new TopicInfoCache(this.topics, options.metadataMaxAgeMs)
    this.host = {
      options,
      client,
      admin,
      topics: this.topics,
      offsets,
      topicCache: this.topicCache,
      checkOpen: () => this.checkOpen(),
      forget: (closed: Producer | Consumer) => {
        this.clients.delete(closed)
      },
    }
  }

  /** Checks the options, connects the admin client (so unreachable brokers fail here), and returns the log. */
  static async open(options: KafkaLogOptions): Promise<KafkaLog> {
    const resolved = resolveKafkaLogOptions(options)
    const client = createKafkaClient(resolved)
    const admin = client.admin()
    try {
      await admin.connect()
    } catch (error) {
      await admin.disconnect().catch(() => undefined)
      throw toLogError(error, { operation: `connect to ${resolved.brokers.join(',')}` })
    }
    return new KafkaLog(resolved, client, admin)
  }

  async createTopic(name: string, config: TopicConfig): Promise<void> {
    this.checkOpen()
    await this.topics.create(name, config)
    this.topicCache.forget(name)
  }

  async deleteTopic(name: string): Promise<void> {
    this.checkOpen()
    await this.topics.delete(name)
    this.topicCache.forget(name)
  }

  async listTopics(): Promise<string[]> {
    this.checkOpen()
    return this.topics.list()
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.checkOpen()
    return this.topics.describe(name)
  }

  async deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen()
    await deleteKafkaRecords(offsets, this.host)
  }

  producer(options: ProducerOptions = {}): Producer {
    this.checkOpen()
    const producer = new KafkaProducer(this.host, options)
    this.clients.add(producer)
    return producer
  }

  consumer(options: ConsumerOptions = {}): Consumer {
    this.checkOpen()
    const consumer = new KafkaConsumer(this.host, options)
    this.clients.add(consumer)
    return consumer
  }

  /** Closes every producer and consumer of this log (consumers leave their groups), then the admin client. */
  async close(): Promise<void> {
    if (this.closed) return
    const clients = [...this.clients]
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)))
    this.closed = true
    await this.admin.disconnect().catch(() => undefined)
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('log')
  }
}
