/**
 * The hand-over between kafkajs's push (`eachBatch`) and the log's pull (`poll`), reading one
 * batch ahead. kafkajs calls `eachBatch` with a partition's fetched batch and fetches again only
 * after the call returns. A partition's batches queue here in the order they came; the first
 * one (the one polls are reading) is handed back to kafkajs at once, resolved to its last record,
 * so kafkajs fetches the next batch while the app works through this one (the broker works on
 * another core meanwhile). That next batch waits in its `eachBatch` call until polls have taken
 * every record of the one before it, so a partition holds at most two fetched batches (three
 * after a pause and a resume: a pause resolves the waiting one and keeps it, see holdWaiting).
 *
 * While a batch waits it keeps the group membership alive with heartbeats, and a heartbeat that
 * reports a rebalance releases every batch and is rethrown, so kafkajs rejoins. A waiting batch
 * released (a seek, a revocation) returns unresolved: kafkajs then fetches it again after the
 * batch before it. A released batch that was resolved already (the first, or one held at a
 * pause): kafkajs fetches past it, so whoever releases it also seeks kafkajs back (a seek, or the
 * positions a rejoin sets).
 */
import type { LogRecord, TopicPartition } from '../types.js'

/** A fetched batch of one partition. */
export interface FetchedBatch {
  readonly key: string
  readonly topicPartition: TopicPartition
  /** The offset the fetch started at. */
  readonly fetchedOffset: number
  /** Where the next fetch starts once every record is taken (after any trailing control records). */
  readonly nextOffset: number
  readonly highWatermark: number
  /** Its records, control records and aborted ones already left out. Never empty. */
  readonly records: readonly LogRecord[]
}

/** What `eachBatch` is given to keep the member alive, and to learn that the batch is obsolete. */
export interface KeepAlive {
  heartbeat(): Promise<void>
  /** A seek of the partition is pending in kafkajs, or the consumer is stopping. */
  isObsolete(): boolean
}

/** A partition's batch being read, as polls see it. */
export interface QueuedBatch {
  readonly batch: FetchedBatch
  /** How many of its records polls have taken. */
  readonly taken: number
  /** Its start was checked against the partition's position. */
  readonly verified: boolean
  /**
   * Where reading goes on once every record is taken: the batch's `nextOffset`, moved on when
   * kafkajs reports offsets after it that held nothing to hand over (aborted and control records).
   */
  readonly nextOffset: number
}

interface Queued extends QueuedBatch {
  taken: number
  verified: boolean
  nextOffset: number
  /** The `eachBatch` call returned: kafkajs was told where to fetch next, or that the batch was dropped. */
  finished: boolean
  readonly finish: (resolveTo: number | undefined) => void
}

export class FetchBuffer {
  /** Each partition's batches in fetch order: the first is read, the one after it waits. */
  private readonly queues = new Map<string, Queued[]>()

  /** @param onArrival called when a batch is queued (wakes a waiting poll) */
  constructor(private readonly onArrival: () => void) {}

  /**
   * Queues a batch; resolves with the offset kafkajs should fetch after (the batch's last record)
   * once it is the partition's first batch, or undefined if it is released before that.
   *
   * @example
   * const resolveTo = await buffer.park(batch, { heartbeat, isObsolete }, 3000)
   * if (resolveTo !== undefined) resolveOffset(String(resolveTo))
   */
  async park(batch: FetchedBatch, keepAlive: KeepAlive, heartbeatIntervalMs: number): Promise<number | undefined> {
    let resolve!: (resolveTo: number | undefined) => void
    const done = new Promise<number | undefined>((settle) => (resolve = settle))
    const queued: Queued = {
      batch,
      taken: 0,
      verified: false,
      nextOffset: batch.nextOffset,
      finished: false,
      finish: (resolveTo) => {
        if (queued.finished) return
        queued.finished = true
        resolve(resolveTo)
      },
    }
    let queue = this.queues.get(batch.key)
    if (queue === undefined) this.queues.set(batch.key, (queue = []))
    queue.push(queued)
    this.admitFirst(queue)
    this.onArrival()
    while (!queued.finished) {
      await settledOrElapsed(done, heartbeatIntervalMs)
      if (queued.finished) break
      if (keepAlive.isObsolete()) {
        this.releaseWaiting(batch.key)
        break
      }
      try {
        await keepAlive.heartbeat()
      } catch (error) {
        // A rebalance (or a lost membership): nothing queued may be returned any more.
        this.releaseAll()
        throw error
      }
    }
    return done
  }

  /** The batch of a partition that polls read now, with how many of its records were taken. */
  get(key: string): QueuedBatch | undefined {
    return this.queues.get(key)?.[0]
  }

  /** Records that the start of the partition's current batch was checked against its position. */
  markVerified(key: string): void {
    const first = this.queues.get(key)?.[0]
    if (first !== undefined) first.verified = true
  }

  /** Takes up to `max` records of a partition's current batch; once all are taken, the next batch is current. */
  take(key: string, max: number): LogRecord[] {
    const queue = this.queues.get(key)
    const first = queue?.[0]
    if (queue === undefined || first === undefined || max <= 0) return []
    const records = first.batch.records.slice(first.taken, first.taken + max)
    first.taken += records.length
    if (first.taken >= first.batch.records.length) {
      queue.shift()
      if (queue.length === 0) this.queues.delete(key)
      else this.admitFirst(queue)
    }
    return records
  }

  /**
   * kafkajs moved past offsets `firstOffset` .. `nextOffset - 1` that held nothing to hand over.
   * When they follow the partition's last queued batch, reading goes on after them once that batch
   * is taken, and this returns true; otherwise false (nothing is queued, or they are elsewhere).
   */
  skipped(key: string, firstOffset: number, nextOffset: number): boolean {
    const last = this.queues.get(key)?.at(-1)
    if (last === undefined || last.nextOffset !== firstOffset) return false
    last.nextOffset = nextOffset
    return true
  }

  /**
   * Drops every batch of a partition. The current one was resolved already: kafkajs fetches after
   * it, so the caller seeks kafkajs (or a rejoin does). A waiting one returns to kafkajs unresolved.
   */
  release(key: string): void {
    this.drop(key, () => true)
  }

  /**
   * Drops the batch waiting behind a partition's current one, keeping the current one: for a
   * waiting batch that became obsolete (a seek pending in kafkajs, or the consumer stopping),
   * which kafkajs fetches again if it is still wanted. A pause keeps it instead (holdWaiting).
   */
  releaseWaiting(key: string): void {
    this.drop(key, (entry) => !entry.finished)
  }

  /**
   * Resolves the batches waiting behind a partition's current one to their last records, keeping
   * their records for polls: for a pause, once kafkajs has paused the partition, so that it goes on
   * after them when the partition resumes and nothing it fetched is fetched and decoded again.
   */
  holdWaiting(key: string): void {
    for (const entry of this.queues.get(key) ?? []) resolveToLast(entry)
  }

  releaseAll(): void {
    for (const key of [...this.queues.keys()]) this.release(key)
  }

  /** The first batch is read now: kafkajs may fetch after it. */
  private admitFirst(queue: readonly Queued[]): void {
    const first = queue[0]
    if (first !== undefined) resolveToLast(first)
  }

  private drop(key: string, dropped: (entry: Queued) => boolean): void {
    const queue = this.queues.get(key)
    if (queue === undefined) return
    const kept = queue.filter((entry) => !dropped(entry))
    for (const entry of queue) if (dropped(entry)) entry.finish(undefined)
    if (kept.length === 0) this.queues.delete(key)
    else this.queues.set(key, kept)
  }
}

/** Hands a batch back to kafkajs resolved to its last record (kafkajs fetches after it), unless it was handed back already. */
function resolveToLast(entry: Queued): void {
  if (!entry.finished) entry.finish(entry.batch.records.at(-1)!.offset)
}

/** Resolves when `promise` settles or after `ms`, whichever comes first, leaving no timer behind. */
function settledOrElapsed(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    promise.then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      () => {
        clearTimeout(timer)
        resolve()
      },
    )
  })
}
