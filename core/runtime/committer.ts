import type { Consumer, Log, Producer, TopicPartitionOffset } from '../log/types.js'
import type { AppMetrics } from './app-options.js'
import { outputChunks } from './output-chunks.js'
import type { Task } from './task.js'

/**
 * Makes progress durable, keeping the commit invariant: an input offset is committed only
 * after every output caused by the records before it is written.
 * - at_least_once: one producer; outputs are sent, then the offsets committed.
 * - exactly_once: a transactional producer per task (its id fences a zombie instance of the
 *   same task); outputs and offsets are committed in one transaction, or not at all.
 */
export class Committer {
  private readonly taskProducers = new Map<string, Producer>()
  private readonly committed = new Map<string, number>()

  constructor(
    private readonly appId: string,
    private readonly log: Log,
    private readonly consumer: Consumer,
    private readonly producer: Producer | undefined,
    private readonly metrics: AppMetrics,
  ) {}

  get exactlyOnce(): boolean {
    return this.producer === undefined
  }

  async commit(tasks: readonly Task[]): Promise<void> {
    if (this.producer !== undefined) {
      const outputs = tasks.flatMap((task) => task.takeOutputs())
      for (const chunk of outputChunks(outputs)) await this.producer.send(chunk)
      this.metrics.recordsOut += outputs.length
      const offsets = this.changed(tasks.flatMap((task) => task.committableOffsets()))
      if (offsets.length > 0) await this.consumer.commit(offsets)
      this.remember(offsets)
    } else {
      for (const task of tasks) await this.commitTask(task)
    }
    this.metrics.commits++
  }

  /** Sends a task's buffered outputs early (at_least_once only: under exactly_once they wait for the commit). */
  async flush(task: Task): Promise<void> {
    if (this.producer === undefined) return
    const outputs = task.takeOutputs()
    this.metrics.recordsOut += outputs.length
    for (const chunk of outputChunks(outputs)) await this.producer.send(chunk)
  }

  async close(): Promise<void> {
    await this.producer?.close()
    for (const producer of this.taskProducers.values()) await producer.close()
    this.taskProducers.clear()
  }

  private async commitTask(task: Task): Promise<void> {
    const offsets = this.changed(task.committableOffsets())
    const outputs = task.takeOutputs()
    if (offsets.length === 0 && outputs.length === 0) return
    let producer = this.taskProducers.get(task.taskId)
    if (producer === undefined) {
      producer = this.log.producer({ transactionalId: `${this.appId}-${task.taskId}` })
      this.taskProducers.set(task.taskId, producer)
    }
    const transaction = await producer.beginTransaction()
    try {
      for (const chunk of outputChunks(outputs)) await transaction.send(chunk)
      if (offsets.length > 0) await transaction.sendOffsets(this.appId, offsets)
      await transaction.commit()
    } catch (error) {
      await transaction.abort().catch(() => undefined)
      throw error
    }
    this.metrics.recordsOut += outputs.length
    this.remember(offsets)
  }

  private changed(offsets: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
    return offsets.filter(({ topic, partition, offset }) => this.committed.get(`${topic}:${partition}`) !== offset)
  }

  private remember(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) this.committed.set(`${topic}:${partition}`, offset)
  }
}
