import { LogError } from '../log/errors.js'
import type { Consumer, Log, Producer, TopicPartitionOffset, Transaction } from '../log/types.js'
import type { AppCounters } from './app-metrics.js'
import type { Task } from './task.js'
import { crashPoint } from '../crash-point.js'
import { SendLane } from './send-lane.js'

/** How a commit goes (see `Committer.commit`). */
export interface CommitOptions {
  /** A periodic commit: an at_least_once offset commit that fails retriably is left to the next. */
  readonly deferrable?: boolean
  /** exactly_once: return once the transactions are committing, without waiting for them. */
  readonly background?: boolean
}

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
 *
 * Under exactly_once a periodic commit need not be waited for either (`background`): a task's
 * input offsets and outputs are taken when the commit starts, and its transaction commits while
 * the runtime processes on. Outputs made meanwhile wait in the task (they belong to its next
 * transaction, which begins once this one is committed), up to `maxQueuedOutputs`; a failed
 * commit fails every later call that concerns its task, until the task is released or aborted.
 */
export class Committer {
  private readonly taskProducers = new Map<string, Producer>()
  private readonly transactions = new Map<string, Transaction>()
  private readonly committed = new Map<string, number>()
  /** The sends per producer: SHARED, or the task id under exactly_once. */
  private readonly lanes = new Map<string, SendLane>()
  /** exactly_once: the transaction commits under way, by task id (they never reject). */
  private readonly committing = new Map<string, Promise<void>>()
  /**
   * exactly_once: the failure of a task's commit, reported by every later call for the task until
   * it is released or the runtime aborts (the task's transaction is void, and it must start again
   * from its last commit: no later commit of it may go through).
   */
  private readonly failures = new Map<string, unknown>()

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
      this.throwFailure(task.taskId)
      if (task.bufferedOutputs === 0) continue
      const committing = this.committing.get(task.taskId)
      if (committing !== undefined) {
        // Its outputs are for the next transaction: they wait in the task while there is room.
        if (task.bufferedOutputs < this.maxQueuedOutputs) continue
        await committing
        this.throwFailure(task.taskId)
      }
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

  /**
   * Waits until the tasks' outputs handed over are written and their commits under way are done
   * (all of them without `tasks`); rejects if a send or commit failed.
   */
  async settle(tasks?: Iterable<Task>): Promise<void> {
    await this.finishCommits(tasks)
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
   *
   * With `background` under exactly_once, it returns once the tasks' transactions have their
   * outputs and offsets and are committing; `finished` tells when they are done whether all
   * succeeded (it never rejects: a failure is reported by the later calls for the task). Otherwise
   * `finished` is done, true.
   */
  async commit(tasks: readonly Task[], { deferrable = false, background = false }: CommitOptions = {}): Promise<{ readonly finished: Promise<boolean> }> {
    await this.finishCommits(tasks)
    await this.sendOutputs(tasks)
    if (this.producer === undefined) {
      // Each task's transaction is its own: they commit side by side, their round trips overlapping.
      const started = tasks.map((task) => this.startCommit(task))
      const finished = Promise.all(started).then((outcomes) => {
        const succeeded = outcomes.every(Boolean)
        if (succeeded) this.metrics.commits++
        return succeeded
      })
      if (!background) {
        await finished
        for (const task of tasks) this.throwFailure(task.taskId)
      }
      return { finished }
    }
    await this.settle(tasks)
    const offsets = this.changed(tasks.flatMap((task) => task.committableOffsets()))
    if (offsets.length > 0) {
      crashPoint('commit.before-offsets')
      try {
        await this.consumer.commit(offsets)
      } catch (error) {
        if (!deferrable || !(error instanceof LogError) || !error.retriable) throw error
        this.warn(`committing input offsets failed (${error.message}); the next commit tries again`)
        return { finished: Promise.resolve(true) }
      }
    }
    this.remember(offsets)
    this.metrics.commits++
    return { finished: Promise.resolve(true) }
  }

  /** Waits for the commits under way of `tasks` (of all without), then reports their failures. */
  private async finishCommits(tasks?: Iterable<Task>): Promise<void> {
    const ids = tasks === undefined ? [...this.committing.keys()] : [...tasks].map((task) => task.taskId)
    for (const id of ids) await this.committing.get(id)
    if (tasks === undefined) for (const id of this.failures.keys()) this.throwFailure(id)
    else for (const id of ids) this.throwFailure(id)
  }

  /**
   * Starts committing a task's transaction (exactly_once): its input offsets are taken now, and
   * its transaction is settled, given the offsets and committed in the background. The promise
   * tells whether it succeeded and never rejects: a failure is kept for the later calls for the task.
   */
  private startCommit(task: Task): Promise<boolean> {
    const taskId = task.taskId
    const offsets = this.changed(task.committableOffsets())
    if (offsets.length === 0 && !this.transactions.has(taskId)) return Promise.resolve(true)
    const job = this.commitTransaction(task, offsets).then(
      () => true,
      (error: unknown) => {
        this.failures.set(taskId, error)
        return false
      },
    )
    const done = job.then(() => {
      if (this.committing.get(taskId) === done) this.committing.delete(taskId)
    })
    this.committing.set(taskId, done)
    return job
  }

  private throwFailure(taskId: string): void {
    if (this.failures.has(taskId)) throw this.failures.get(taskId)
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
    await this.committing.get(task.taskId)
    this.failures.delete(task.taskId)
    await this.settleKey(task.taskId).catch(() => undefined)
    await this.transactions.get(task.taskId)?.abort().catch(() => undefined)
    this.transactions.delete(task.taskId)
    const producer = this.taskProducers.get(task.taskId)
    this.taskProducers.delete(task.taskId)
    await producer?.close().catch(() => undefined)
  }

  /** Aborts open transactions (after a failure: their outputs must never be seen). */
  async abort(): Promise<void> {
    await Promise.all(this.committing.values())
    this.failures.clear()
    for (const key of [...this.lanes.keys()]) await this.settleKey(key).catch(() => undefined)
    for (const transaction of this.transactions.values()) await transaction.abort().catch(() => undefined)
    this.transactions.clear()
  }

  async close(): Promise<void> {
    await this.abort()
    await this.producer?.close()
    for (const producer of this.taskProducers.values()) await producer.close()
    this.taskProducers.clear()
  }

  /** Settles a task's sends, then adds `offsets` to its transaction and commits it. */
  private async commitTransaction(task: Task, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.settleKey(task.taskId)
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
