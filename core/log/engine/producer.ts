import type { Clock } from '../../clock.js'
import { ConfigError } from '../../errors.js'
import { ClosedError, InvalidRecordError, TransactionStateError, UnknownTopicOrPartitionError } from '../errors.js'
import { partitionForKey } from '../partitioner.js'
import type { Producer, ProducerOptions, ProducerRecord, RecordMetadata, Transaction, TopicPartitionOffset } from '../types.js'
import { partitionKey } from './partition-key.js'
import type { PartitionStore } from './partition-store.js'
import { encodeWithin, type EncodedPiece } from './batch-split.js'
import type { TransactionCoordinator } from './transaction-coordinator.js'

/** What a producer needs of the log it writes to. */
export interface ProducerHost {
  readonly clock: Clock
  partitionsOf(topic: string): readonly PartitionStore[]
  readonly transactions: TransactionCoordinator
  checkWritable(operation: string): void
}

interface Identity {
  readonly producerId: number
  readonly epoch: number
}

/**
 * The producer of the in-process logs (embedded and memory): routes records to partitions,
 * encodes one batch per partition and appends it to the partition's store. One `send` becomes
 * one batch per partition, each appended atomically; sizes are checked for every batch before
 * any is written.
 *
 * @example
 * const producer = new EngineProducer(log, { transactionalId: 'orders-app' })
 * await producer.send([{ topic: 'orders', key: Buffer.from('k'), value: Buffer.from('v') }])
 */
export class EngineProducer implements Producer {
  private closed = false
  private readonly roundRobin = new Map<string, number>()
  private identity: Identity | undefined
  private transaction: EngineTransaction | undefined

  constructor(
    private readonly host: ProducerHost,
    private readonly options: ProducerOptions,
  ) {}

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.checkOpen()
    return this.append(records, undefined)
  }

  async beginTransaction(): Promise<Transaction> {
    this.checkOpen()
    const transactionalId = this.options.transactionalId
    if (transactionalId === undefined) {
      throw new ConfigError('transactionalId', 'a producer needs a transactionalId to use transactions')
    }
    this.identity ??= this.host.transactions.initProducer(transactionalId)
    if (this.transaction?.isOpen) throw new TransactionStateError(`transaction ${transactionalId} is already open; commit or abort it first`)
    this.host.transactions.begin(transactionalId, this.identity.epoch)
    this.transaction = new EngineTransaction(this, transactionalId, this.identity)
    return this.transaction
  }

  async close(): Promise<void> {
    if (this.closed) return
    if (this.transaction?.isOpen) await this.transaction.abort().catch(() => undefined)
    this.closed = true
  }

  /** @internal Appends for a plain send or for a transaction. */
  append(records: readonly ProducerRecord[], transactional: { id: string; identity: Identity } | undefined): RecordMetadata[] {
    this.checkOpen()
    this.host.checkWritable('send')
    const now = this.host.clock.now()
    const groups = this.groupByPartition(records)
    const options = {
      baseOffset: 0,
      defaultTimestamp: now,
      producerId: transactional?.identity.producerId ?? -1,
      producerEpoch: transactional?.identity.epoch ?? -1,
      transactional: transactional !== undefined,
    }
    // Every batch is encoded and checked before anything is appended: a record over the limit
    // fails the whole send with nothing written.
    const batches: { partition: PartitionStore; indexes: number[] | undefined; piece: EncodedPiece }[] = []
    for (const [partition, group] of groups) {
      for (const piece of encodeWithin(group.records, options, partition.topic, partition.config.maxRecordBytes)) batches.push({ partition, indexes: group.indexes, piece })
    }
    const metadata = new Array<RecordMetadata>(records.length)
    for (const { partition, indexes, piece } of batches) {
      if (transactional) {
        this.host.transactions.addPartition(transactional.id, transactional.identity.epoch, partitionKey(partition.topic, partition.partition))
      }
      const baseOffset = partition.append(piece.batch)
      for (let j = piece.from; j < piece.to; j++) {
        const index = indexes === undefined ? j : indexes[j]!
        const timestamp = records[index]!.timestamp ?? now
        metadata[index] = { topic: partition.topic, partition: partition.partition, offset: baseOffset + j - piece.from, timestamp }
      }
    }
    return metadata
  }

  /**
   * Routes every record to its partition. When all go to one partition (the common case)
   * the records are used as they are; otherwise they are split, keeping their order.
   */
  private groupByPartition(records: readonly ProducerRecord[]): Map<PartitionStore, { indexes: number[] | undefined; records: readonly ProducerRecord[] }> {
    const targets = new Array<PartitionStore>(records.length)
    let first: PartitionStore | undefined
    let mixed = false
    let topic: string | undefined
    let partitions: readonly PartitionStore[] = []
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      if (record.topic !== topic) {
        topic = record.topic
        partitions = this.host.partitionsOf(topic)
      }
      const target = this.route(record, partitions)
      targets[i] = target
      if (first === undefined) first = target
      else if (target !== first) mixed = true
    }
    const groups = new Map<PartitionStore, { indexes: number[] | undefined; records: ProducerRecord[] | readonly ProducerRecord[] }>()
    if (first === undefined) return groups
    if (!mixed) return groups.set(first, { indexes: undefined, records })
    for (let i = 0; i < records.length; i++) {
      let group = groups.get(targets[i]!) as { indexes: number[]; records: ProducerRecord[] } | undefined
      if (group === undefined) {
        group = { indexes: [], records: [] }
        groups.set(targets[i]!, group)
      }
      group.indexes.push(i)
      group.records.push(records[i]!)
    }
    return groups
  }

  private route(record: ProducerRecord, partitions: readonly PartitionStore[]): PartitionStore {
    if (record.partition !== undefined) {
      const partition = partitions[record.partition]
      if (partition === undefined || !Number.isInteger(record.partition)) throw new UnknownTopicOrPartitionError(record.topic, record.partition)
      return this.checkKey(partition, record)
    }
    // One partition: the key's hash could only name it.
    if (partitions.length === 1) return this.checkKey(partitions[0]!, record)
    if (record.key != null) return this.checkKey(partitions[partitionForKey(record.key, partitions.length)]!, record)
    const next = this.roundRobin.get(record.topic) ?? 0
    this.roundRobin.set(record.topic, (next + 1) % partitions.length)
    return this.checkKey(partitions[next % partitions.length]!, record)
  }

  private checkKey(partition: PartitionStore, record: ProducerRecord): PartitionStore {
    if (partition.config.cleanup === 'compact' && record.key == null) {
      throw new InvalidRecordError(partition.topic, 'a compacted topic needs a key on every record')
    }
    return partition
  }

  /** @internal Throws ClosedError once the producer is closed. */
  checkOpen(): void {
    if (this.closed) throw new ClosedError('producer')
  }

  /** @internal */
  get coordinator(): TransactionCoordinator {
    return this.host.transactions
  }
}

/** A transaction of an EngineProducer. */
class EngineTransaction implements Transaction {
  private ended = false

  constructor(
    private readonly producer: EngineProducer,
    private readonly transactionalId: string,
    private readonly identity: Identity,
  ) {}

  get isOpen(): boolean {
    return !this.ended
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.check('send')
    return this.producer.append(records, { id: this.transactionalId, identity: this.identity })
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.check('sendOffsets')
    this.producer.coordinator.addOffsets(this.transactionalId, this.identity.epoch, groupId, offsets)
  }

  async commit(): Promise<void> {
    this.check('commit')
    this.ended = true
    this.producer.coordinator.commit(this.transactionalId, this.identity.epoch)
  }

  async abort(): Promise<void> {
    this.check('abort')
    this.ended = true
    this.producer.coordinator.abort(this.transactionalId, this.identity.epoch)
  }

  private check(operation: string): void {
    this.producer.checkOpen()
    if (this.ended) throw new TransactionStateError(`cannot ${operation}: transaction ${this.transactionalId} has ended`)
    this.producer.coordinator.checkEpoch(this.transactionalId, this.identity.epoch)
  }
}
