import { originOf } from '../../core/runtime/record.js'
import type { TaskContext } from '../../core/runtime/task-context.js'
import { keyIdentity } from './ordered-async.js'

interface Waiting<T> {
  readonly item: T
  readonly done: () => void
}

/**
 * Keeps a key's items in arrival order when handling one may need I/O: `handle` runs at once
 * and usually finishes synchronously; when it returns a promise, later items of that key wait
 * until it settles (other keys go on). A waiting item is tracked, so the input offset behind it
 * is not committed before it is handled. A handler that throws or rejects reports a processing
 * error for the item's record.
 *
 * @example
 * const queue = new KeyedQueue(context, 'windowed count', (item) => item.record)
 * queue.push(record.key, { record, streamTime }, (item) => update(item))
 */
export class KeyedQueue<T> {
  private readonly waiting = new Map<unknown, Waiting<T>[]>()

  constructor(
    private readonly context: TaskContext,
    private readonly name: string,
    private readonly recordOf: (item: T) => unknown,
    private readonly handle: (item: T) => void | Promise<void>,
  ) {}

  push(key: unknown, item: T): void {
    const queue = this.waiting.size === 0 ? undefined : this.waiting.get(keyIdentity(key))
    if (queue !== undefined) {
      queue.push({ item, done: this.track(item) })
      return
    }
    const result = this.run(item)
    if (result === undefined) return
    const identity = keyIdentity(key)
    const entries: Waiting<T>[] = [{ item, done: this.track(item) }]
    this.waiting.set(identity, entries)
    void this.drain(identity, entries, result)
  }

  private run(item: T): Promise<void> | undefined {
    try {
      const result = this.handle(item)
      return result instanceof Promise ? result : undefined
    } catch (error) {
      this.context.processingError(error, this.recordOf(item), this.name)
      return undefined
    }
  }

  private async drain(identity: unknown, queue: Waiting<T>[], first: Promise<void>): Promise<void> {
    let pending: Promise<void> | undefined = first
    while (queue.length > 0) {
      const { item, done } = queue[0]!
      try {
        await (pending ?? this.run(item))
      } catch (error) {
        this.context.processingError(error, this.recordOf(item), this.name)
      }
      pending = undefined
      queue.shift()
      // Synchronously with the last item, so an item arriving next finds no queue to join.
      if (queue.length === 0) this.waiting.delete(identity)
      done()
    }
  }

  private track(item: T): () => void {
    return this.context.track(originOf(this.recordOf(item)) ?? this.context.currentOrigin)
  }
}
