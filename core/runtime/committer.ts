import { LogError } from '../log/errors.js'
import type { Consumer, Log, Producer, TopicPartitionOffset, Transaction } from '../log/types.js'
import type { AppCounters } from './app-metrics.js'
import type { Task } from './task.js'
import { crashPoint } from '../crash-point.js'
import { SendLane } from './send-lane.js'

/** The key of the at_least_once producer's sends in flight (a task's are under its task id). */
const SHARED = ''

/**
 * Makes progress durable, keeping the commit invariant: an input offset is committed only
 * after every output caused by the records before it is written.
 * - at_least_once: one producer; outputs are sent as soon as a fetched batch is processed
 *   (low latency), and each commit sends what is left, then commits the offsets.
 * - exactly_once: a transactional producer per task (its id, `<app id>-<task id>`, fences a
 *   zombie instance of the task); outputs go into the task's open transaction as they come,
 *   and the commit adds the input offsets and commits it: all of it becomes visible, or none.
 *
 * A send is not waited for where it starts: the runtime fetches and processes the next batch
 * while it is on its way. Each producer (each task's transaction under exactly_once) has one send
 * in flight, so records keep their order; outputs made meanwhile queue for its next send (see
 * send-lane.ts), and processing waits only when too many are queued, or for a commit. A failed
 * send fails the next sendOutputs or commit.
 */
export class Committer {
  private readonly taskProducers = new Map<string, Producer>()
  private readonly transactions = new Map<string, Transaction>()
  private readonly committed = new Map<string, number>()
  /** The sends per producer: SHARED, or the task id under exactly_once. */
  private readonly lanes = new Map<string, SendLane>()

  constructor(
    private readonly appId: string,
    private readonly log: Log,
    private readonly consumer: Consumer,
    private readonly producer: Producer | undefined,
    private readonly metrics: AppCounters,
    private readonly warn: (message: string) => void = () => undefined,
    /** Outputs a producer may have queued behind its send in flight before processing waits for it. */
    private readonly maxQueuedOutputs = 10_000,
  ) {}

  /**
   * Hands the outputs the tasks have buffered to their producers' lanes (into their transactions
   * under exactly_once): sent at once when the producer has no send in flight, else with its next.
   */
  async sendOutputs(tasks: Iterable<Task>): Promise<void> {
    for (const task of tasks) {
      if (task.bufferedOutputs === 0) continue
      const key = this.producer === undefined ? task.taskId : SHARED
      const target = this.producer ?? (await this.transactionOf(task))
      let lane = this.lanes.get(key)
      if (lane === undefined) {
        lane = new SendLane((records) => (this.metrics.recordsOut += records.length), this.maxQueuedOutputs)
        this.lanes.set(key, lane)
      }
      await lane.add(target, task.takeOutputs())
    }
  }

  /** Waits until the tasks' outputs handed over are written (all of them without `tasks`); rejects if a send failed. */
  async settle(tasks?: Iterable<Task>): Promise<void> {
    if (tasks === undefined || this.producer !== undefined) {
      const keys = tasks === undefined ? [...this.lanes.keys()] : [SHARED]
      for (const key of keys) await this.settleKey(key)
      return
    }
    for (const task of tasks) await this.settleKey(task.taskId)
  }

  private async settleKey(key: string): Promise<void> {
    const lane = this.lanes.get(key)
    if (lane === undefined) return
    try {
      await lane.settled()
    } finally {
      if (this.lanes.get(key) === lane && lane.idle) this.lanes.delete(key)
    }
  }

  /**
   * Sends what is left and commits the tasks' input offsets. With `deferrable` (a periodic
   * commit), an at_least_once offset commit that fails with a retriable error is left to the next
   * commit: the outputs before those offsets are written already, so the offsets merely lag. That
   * keeps the app polling while its group coordinator moves (a broker crash), which is what lets
   * the consumer rejoin the group and find the new coordinator.
   */
  async commit(tasks: readonly Task[], { deferrable = false }: { readonly deferrable?: boolean } = {}): Promise<void> {
    await this.sendOutputs(tasks)
    await this.settle(tasks)
    if (this.producer !== undefined) {
      const offsets = this.changed(tasks.flatMap((task) => task.committableOffsets()))
      if (offsets.length > 0) {
        crashPoint('commit.before-offsets')
        try {
          await this.consumer.commit(offsets)
        } catch (error) {
          if (!deferrable || !(error instanceof LogError) || !error.retriable) throw error
          this.warn(`committing input offsets failed (${error.message}); the next commit tries again`)
          return
        }
      }
      this.remember(offsets)
    } else {
      // Each task's transaction is its own: they commit side by side, their round trips overlapping.
      const outcomes = await Promise.allSettled(tasks.map((task) => this.commitTask(task)))
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
    this.metrics.commits++
  }

  /**
   * Under exactly_once, readies a task's transactional producer before its stores restore:
   * opening its transaction fences a previous instance of the task and aborts what that one
   * left open, so its uncommitted changelog writes are settled before they are read.
   */
  async prepare(task: Task): Promise<void> {
    if (this.producer === undefined) await this.transactionOf(task)
  }

  /**
   * Lets go of a task that left this instance (revoked): its transactional producer is closed,
   * since the instance the task moved to fences it; should the task come back, a new one fences
   * that instance in turn.
   */
  async release(task: Task): Promise<void> {
    await this.settleKey(task.taskId).catch(() => undefined)
    await this.transactions.get(task.taskId)?.abort().catch(() => undefined)
    this.transactions.delete(task.taskId)
    const producer = this.taskProducers.get(task.taskId)
    this.taskProducers.delete(task.taskId)
    await producer?.close().catch(() => undefined)
  }

  /** Aborts open transactions (after a failure: their outputs must never be seen). */
  async abort(): Promise<void> {
    await this.settle().catch(() => undefined)
    for (const transaction of this.transactions.values()) await transaction.abort().catch(() => undefined)
    this.transactions.clear()
  }

  async close(): Promise<void> {
    await this.abort()
    await this.producer?.close()
    for (const producer of this.taskProducers.values()) await producer.close()
    this.taskProducers.clear()
  }

  private async commitTask(task: Task): Promise<void> {
    const offsets = this.changed(task.committableOffsets())
    if (offsets.length === 0 && !this.transactions.has(task.taskId)) return
    const transaction = await this.transactionOf(task)
    this.transactions.delete(task.taskId)
    try {
      if (offsets.length > 0) await transaction.sendOffsets(this.appId, offsets)
      crashPoint('commit.before-transaction-commit')
      await transaction.commit()
    } catch (error) {
      await transaction.abort().catch(() => undefined)
      throw error
    }
    this.remember(offsets)
  }

  private async transactionOf(task: Task): Promise<Transaction> {
    let transaction = this.transactions.get(task.taskId)
    if (transaction !== undefined) return transaction
    let producer = this.taskProducers.get(task.taskId)
    if (producer === undefined) {
      producer = this.log.producer({ transactionalId: `${this.appId}-${task.taskId}` })
      this.taskProducers.set(task.taskId, producer)
    }
    transaction = await producer.beginTransaction()
    this.transactions.set(task.taskId, transaction)
    return transaction
  }

  /** The input offsets committed so far, per partition (the latest of each). */
  committedOffsets(): TopicPartitionOffset[] {
    return [...this.committed].map(([key, offset]) => {
      const at = key.lastIndexOf(':')
      return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset }
    })
  }

  private changed(offsets: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
    return offsets.filter(({ topic, partition, offset }) => this.committed.get(`${topic}:${partition}`) !== offset)
  }

  private remember(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) this.committed.set(`${topic}:${partition}`, offset)
  }
}
