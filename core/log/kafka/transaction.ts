import type { Transaction as KafkaJsTransaction } from 'kafkajs'
import { TransactionStateError } from '../errors.js'
import type { ProducerRecord, RecordMetadata, Transaction, TopicPartitionOffset } from '../types.js'
import { retryTransient } from './transient-retry.js'
import { toLogError } from './errors.js'
import type { KafkaProducer } from './producer.js'

/**
 * A kafkajs transaction behind the log's Transaction: its records and offsets commit together.
 * A newer producer with the same transactional id fences this one: its next call fails with
 * ProducerFencedError, and the broker aborts what it left open.
 *
 * Offsets sent here carry only the group id (kafkajs's TxnOffsetCommit has no member id or
 * generation), so the broker cannot fence a zombie by group generation: give each input
 * partition's work its own transactional id.
 */
export class KafkaTransaction implements Transaction {
  private ended = false

  constructor(
    private readonly producer: KafkaProducer,
    private readonly transaction: KafkaJsTransaction,
    private readonly transactionalId: string,
  ) {}

  get isOpen(): boolean {
    return !this.ended
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.check('send')
    return this.producer.sendWith(this.transaction, records)
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.check('sendOffsets')
    const topics = new Map<string, { partition: number; offset: string }[]>()
    for (const { topic, partition, offset } of offsets) {
      const partitions = topics.get(topic) ?? []
      partitions.push({ partition, offset: String(offset) })
      topics.set(topic, partitions)
    }
    try {
      const payload = { consumerGroupId: groupId, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) }
      // Up to about 16 s: a crashed group or transaction coordinator is replaced within that.
      await retryTransient(() => this.transaction.sendOffsets(payload), { attempts: 10, unreachable: true })
    } catch (error) {
      throw toLogError(error, { operation: 'sendOffsets', transactionalId: this.transactionalId, groupId })
    }
  }

  async commit(): Promise<void> {
    this.check('commit')
    this.ended = true
    try {
      await this.transaction.commit()
    } catch (error) {
      throw toLogError(error, { operation: 'commit', transactionalId: this.transactionalId })
    }
  }

  async abort(): Promise<void> {
    this.check('abort')
    this.ended = true
    try {
      await this.transaction.abort()
    } catch (error) {
      throw toLogError(error, { operation: 'abort', transactionalId: this.transactionalId })
    }
  }

  private check(operation: string): void {
    this.producer.checkOpen()
    if (this.ended) throw new TransactionStateError(`cannot ${operation}: transaction ${this.transactionalId} has ended`)
  }
}
