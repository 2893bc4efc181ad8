import type { Clock } from '../../../core/clock.js'
import type { SourceRecord } from '../../api/types.js'

/** How a held request ends: its records are in the log (200), or they may not be (503, retry). */
export type Settlement = { readonly durable: true; readonly records: number } | { readonly durable: false; readonly reason: string }

interface Held {
  readonly records: readonly SourceRecord<string, unknown>[]
  readonly settle: (settlement: Settlement) => void
}

/**
 * The webhook's requests between arrival and durability. A request waits until a poll takes its
 * records, then until the runner's commit says they are in the log; only then is it answered.
 * The queue holds at most `maxRecords` records in both stages together, so a log that falls
 * behind makes new requests fail fast (429) instead of filling memory.
 *
 * @example
 * const queue = new PendingQueue(10_000)
 * const answer = queue.offer(records) // undefined when full
 * const batch = queue.take(1000)      // in a poll
 * queue.commit()                      // every taken request resolves { durable: true }
 */
export class PendingQueue {
  private waiting: Held[] = []
  private taken: Held[] = []
  private heldRecords = 0
  private wake: (() => void) | undefined

  constructor(private readonly maxRecords: number) {}

  /** Records held, waiting or taken: what the 429 threshold is measured against. */
  get size(): number {
    return this.heldRecords
  }

  /** True when no more records fit. */
  get full(): boolean {
    return this.heldRecords >= this.maxRecords
  }

  /** Queues a request's records; its answer settles on commit or shutdown. Undefined when they do not fit. */
  offer(records: readonly SourceRecord<string, unknown>[]): Promise<Settlement> | undefined {
    if (this.heldRecords + records.length > this.maxRecords) return undefined
    this.heldRecords += records.length
    return new Promise((settle) => {
      this.waiting.push({ records, settle })
      this.wake?.()
    })
  }

  /** The records of whole waiting requests, at least one request's when any wait, up to about `maxRecords`. */
  take(maxRecords: number): SourceRecord<string, unknown>[] {
    const records: SourceRecord<string, unknown>[] = []
    while (this.waiting.length > 0 && (records.length === 0 || records.length + this.waiting[0]!.records.length <= maxRecords)) {
      const held = this.waiting.shift()!
      this.taken.push(held)
      records.push(...held.records)
    }
    return records
  }

  /** Resolves once a request waits, after `timeoutMs`, or when `signal` aborts, whichever comes first. */
  whenWaiting(timeoutMs: number, clock: Clock, signal: AbortSignal): Promise<void> {
    if (this.waiting.length > 0 || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clock.clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.wake = undefined
        resolve()
      }
      const timer = clock.setTimeout(done, timeoutMs)
      signal.addEventListener('abort', done, { once: true })
      this.wake = done
    })
  }

  /** Every taken request's records are durable: answer them. */
  commit(): number {
    const committed = this.taken
    this.taken = []
    for (const held of committed) {
      this.heldRecords -= held.records.length
      held.settle({ durable: true, records: held.records.length })
    }
    return committed.length
  }

  /** Answers every request still held as not durable (shutdown). */
  abandon(reason: string): void {
    for (const held of [...this.taken, ...this.waiting]) held.settle({ durable: false, reason })
    this.taken = []
    this.waiting = []
    this.heldRecords = 0
  }
}
