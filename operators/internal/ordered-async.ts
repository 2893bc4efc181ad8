import type { Origin } from '../../core/runtime/record.js'

interface Entry<O> {
  readonly subject: unknown
  settled: boolean
  failed: boolean
  output: O | undefined
  readonly done: () => void
}

/**
 * Runs async work with a concurrency limit and emits results in arrival order per key:
 * records of one key come out in the order they went in, while different keys overtake one
 * another. Each entry is tracked (`track(origin)`) from arrival until its result is emitted,
 * so the runtime commits no input offset whose work is unfinished.
 */
export class OrderedAsyncQueue<O> {
  private readonly queues = new Map<unknown, Entry<O>[]>()
  private readonly waiting: (() => void)[] = []
  private running = 0

  constructor(
    private readonly concurrency: number,
    private readonly emit: (output: O) => void,
    private readonly track: (origin: Origin | undefined) => () => void,
    private readonly fail: (error: unknown, subject: unknown) => void,
  ) {}

  /** Queues work for `key`; `start` is called when a concurrency slot is free. `subject` names it in errors. */
  push(key: unknown, origin: Origin | undefined, start: () => O | PromiseLike<O>, subject?: unknown): void {
    const entry: Entry<O> = { subject, settled: false, failed: false, output: undefined, done: this.track(origin) }
    const identity = keyIdentity(key)
    const queue = this.queues.get(identity)
    if (queue) queue.push(entry)
    else this.queues.set(identity, [entry])
    const run = (): void => {
      this.running++
      let result: O | PromiseLike<O>
      try {
        result = start()
      } catch (error) {
        this.settle(identity, entry, undefined, error)
        return
      }
      if (isThenable(result)) result.then((output) => this.settle(identity, entry, output, undefined), (error: unknown) => this.settle(identity, entry, undefined, error ?? new Error('rejected')))
      else this.settle(identity, entry, result, undefined)
    }
    if (this.running < this.concurrency) run()
    else this.waiting.push(run)
  }

  /** Queues an output that needs no work but must keep its place behind its key's pending work. */
  pass(key: unknown, output: O): void {
    const identity = keyIdentity(key)
    const queue = this.queues.get(identity)
    if (queue === undefined) this.emit(output)
    else queue.push({ subject: output, settled: true, failed: false, output, done: () => undefined })
  }

  private settle(identity: unknown, entry: Entry<O>, output: O | undefined, error: unknown): void {
    this.running--
    entry.settled = true
    entry.output = output
    if (error !== undefined) {
      entry.failed = true
      this.fail(error, entry.subject)
    }
    this.drain(identity)
    const next = this.waiting.shift()
    next?.()
  }

  private drain(identity: unknown): void {
    const queue = this.queues.get(identity)
    if (queue === undefined) return
    while (queue.length > 0 && queue[0]!.settled) {
      const entry = queue.shift()!
      if (!entry.failed) this.emit(entry.output as O)
      entry.done()
    }
    if (queue.length === 0) this.queues.delete(identity)
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/** Keys compare by content: equal Buffers or equal JSON objects are the same key. */
export function keyIdentity(key: unknown): unknown {
  if (Buffer.isBuffer(key)) return `b:${key.toString('latin1')}`
  if (typeof key === 'object' && key !== null) {
    try {
      return `j:${JSON.stringify(key)}`
    } catch {
      return key
    }
  }
  return key
}
