import type { Clock } from '../../clock.js'
import { ProducerFencedError, TransactionStateError } from '../errors.js'
import type { TopicPartitionOffset } from '../types.js'
import type { PartitionStore } from './partition-store.js'
import { encodeControlBatch } from './record-batch.js'
import { crashPoint } from '../../crash-point.js'

type Phase = 'empty' | 'ongoing' | 'prepare_commit' | 'prepare_abort' | 'complete_commit' | 'complete_abort'

interface PendingOffsets {
  readonly groupId: string
  readonly offsets: readonly TopicPartitionOffset[]
}

/** The record of one transactional id, kept (by the embedded log) in `__transaction_state`. */
export interface TransactionRecord {
  readonly transactionalId: string
  readonly producerId: number
  readonly epoch: number
  readonly phase: Phase
  readonly partitions: readonly string[]
  readonly offsets: readonly PendingOffsets[]
}

export interface TransactionStateStore {
  persist(record: TransactionRecord): void
  load(): Iterable<TransactionRecord>
}

export interface TransactionParticipants {
  partition(key: string): PartitionStore | undefined
  commitOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): void
}

interface Transaction {
  producerId: number
  epoch: number
  phase: Phase
  partitions: Set<string>
  offsets: PendingOffsets[]
}

/**
 * Runs the two-phase commit of the in-process logs. Every step is first written to the state
 * store (the embedded log's `__transaction_state`), so a crash at any point is finished on the
 * next open: an ongoing transaction is aborted, a prepared one is completed the way it was decided.
 */
export class TransactionCoordinator {
  private readonly transactions = new Map<string, Transaction>()
  private nextProducerId = 0

  /**
   * `readOnly`: a read-only view of a log another process writes; it leaves open and prepared
   * transactions to that writer (finishing them would write, and could abort a live one).
   */
  constructor(
    private readonly store: TransactionStateStore,
    private readonly participants: TransactionParticipants,
    private readonly clock: Clock,
    readOnly = false,
  ) {
    for (const record of store.load()) {
      const { transactionalId, producerId, epoch, phase, partitions, offsets } = record
      this.transactions.set(transactionalId, { producerId, epoch, phase, partitions: new Set(partitions), offsets: [...offsets] })
      this.nextProducerId = Math.max(this.nextProducerId, producerId + 1)
    }
    if (readOnly) return
    for (const [transactionalId, transaction] of this.transactions) this.finishInterrupted(transactionalId, transaction)
  }

  /** Registers a producer: bumps the epoch (fencing older ones) and aborts what they left open. */
  initProducer(transactionalId: string): { producerId: number; epoch: number } {
    let transaction = this.transactions.get(transactionalId)
    if (transaction === undefined) {
      transaction = { producerId: this.nextProducerId++, epoch: -1, phase: 'empty', partitions: new Set(), offsets: [] }
      this.transactions.set(transactionalId, transaction)
    } else if (transaction.phase === 'ongoing') {
      this.end(transactionalId, transaction, 'abort')
    }
    transaction.epoch++
    transaction.phase = 'empty'
    this.save(transactionalId, transaction)
    return { producerId: transaction.producerId, epoch: transaction.epoch }
  }

  begin(transactionalId: string, epoch: number): void {
    const transaction = this.current(transactionalId, epoch)
    if (transaction.phase === 'ongoing') throw new TransactionStateError(`transaction ${transactionalId} is already open`)
    transaction.phase = 'ongoing'
    transaction.partitions = new Set()
    transaction.offsets = []
  }

  /** Records that the transaction writes to a partition, before it does. */
  addPartition(transactionalId: string, epoch: number, key: string): void {
    const transaction = this.open(transactionalId, epoch)
    if (transaction.partitions.has(key)) return
    transaction.partitions.add(key)
    this.save(transactionalId, transaction)
  }

  addOffsets(transactionalId: string, epoch: number, groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    this.open(transactionalId, epoch).offsets.push({ groupId, offsets: [...offsets] })
  }

  commit(transactionalId: string, epoch: number): void {
    this.end(transactionalId, this.open(transactionalId, epoch), 'commit')
  }

  abort(transactionalId: string, epoch: number): void {
    this.end(transactionalId, this.open(transactionalId, epoch), 'abort')
  }

  /** Throws ProducerFencedError when a newer producer took the id. */
  checkEpoch(transactionalId: string, epoch: number): void {
    this.current(transactionalId, epoch)
  }

  private end(transactionalId: string, transaction: Transaction, marker: 'commit' | 'abort'): void {
    transaction.phase = marker === 'commit' ? 'prepare_commit' : 'prepare_abort'
    this.save(transactionalId, transaction)
    this.complete(transactionalId, transaction)
  }

  /** Phase two: markers in every partition, then the offsets, then the final state. */
  private complete(transactionalId: string, transaction: Transaction): void {
    const marker = transaction.phase === 'prepare_commit' ? 'commit' : 'abort'
    let marked = 0
    for (const key of transaction.partitions) {
      const partition = this.participants.partition(key)
      if (partition === undefined || !partition.producerState.hasOngoing(transaction.producerId)) continue
      if (marked++ > 0) crashPoint('transaction.between-markers')
      partition.append(encodeControlBatch(0, transaction.producerId, transaction.epoch, marker, this.clock.now()))
    }
    if (marker === 'commit') for (const { groupId, offsets } of transaction.offsets) this.participants.commitOffsets(groupId, offsets)
    transaction.phase = marker === 'commit' ? 'complete_commit' : 'complete_abort'
    transaction.partitions = new Set()
    transaction.offsets = []
    this.save(transactionalId, transaction)
  }

  private finishInterrupted(transactionalId: string, transaction: Transaction): void {
    if (transaction.phase === 'ongoing') this.end(transactionalId, transaction, 'abort')
    else if (transaction.phase === 'prepare_commit' || transaction.phase === 'prepare_abort') this.complete(transactionalId, transaction)
  }

  private current(transactionalId: string, epoch: number): Transaction {
    const transaction = this.transactions.get(transactionalId)
    if (transaction === undefined || transaction.epoch !== epoch) throw new ProducerFencedError(transactionalId)
    return transaction
  }

  private open(transactionalId: string, epoch: number): Transaction {
    const transaction = this.current(transactionalId, epoch)
    if (transaction.phase !== 'ongoing') throw new TransactionStateError(`transaction ${transactionalId} is not open; call beginTransaction() first`)
    return transaction
  }

  private save(transactionalId: string, transaction: Transaction): void {
    this.store.persist({
      transactionalId,
      producerId: transaction.producerId,
      epoch: transaction.epoch,
      phase: transaction.phase,
      partitions: [...transaction.partitions],
      offsets: transaction.offsets,
    })
  }
}
