/**
 * The hand-over between kafkajs's push (`eachBatch`) and the log's pull (`poll`). kafkajs calls
 * `eachBatch` with a partition's fetched batch and fetches that partition again only after the
 * call returns; here the call parks its batch until polls have taken every record, or the batch is
 * released (a seek, a pause, a revocation). While parked it keeps the group membership alive with
 * heartbeats, and a heartbeat that reports a rebalance releases every parked batch and is
 * rethrown, so kafkajs rejoins. The call then tells kafkajs the last offset taken, which is where
 * its next fetch of the partition starts.
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

interface Parked {
  readonly batch: FetchedBatch
  taken: number
  verified: boolean
  finished: boolean
  readonly finish: (resolveTo: number | undefined) => void
}

export class FetchBuffer {
  private readonly parked = new Map<string, Parked>()

  /** @param onArrival called when a batch is parked (wakes a waiting poll) */
  constructor(private readonly onArrival: () => void) {}

  /**
   * Parks a batch; resolves with the offset of the last record taken (undefined when none was).
   *
   * @example
   * const resolveTo = await buffer.park(batch, { heartbeat, isObsolete }, 3000)
   * if (resolveTo !== undefined) resolveOffset(String(resolveTo))
   */
  async park(batch: FetchedBatch, keepAlive: KeepAlive, heartbeatIntervalMs: number): Promise<number | undefined> {
    this.release(batch.key)
    let finished!: (resolveTo: number | undefined) => void
    const done = new Promise<number | undefined>((resolve) => (finished = resolve))
    const parked: Parked = {
      batch,
      taken: 0,
      verified: false,
      finished: false,
      finish: (resolveTo) => {
        if (parked.finished) return
        parked.finished = true
        if (this.parked.get(batch.key) === parked) this.parked.delete(batch.key)
        finished(resolveTo)
      },
    }
    this.parked.set(batch.key, parked)
    this.onArrival()
    while (!parked.finished) {
      await settledOrElapsed(done, heartbeatIntervalMs)
      if (parked.finished) break
      if (keepAlive.isObsolete()) {
        parked.finish(undefined)
        break
      }
      try {
        await keepAlive.heartbeat()
      } catch (error) {
        // A rebalance (or a lost membership): nothing parked may be returned any more.
        this.releaseAll()
        throw error
      }
    }
    return done
  }

  /** The parked batch of a partition, with how many of its records were taken. */
  get(key: string): { readonly batch: FetchedBatch; readonly taken: number; readonly verified: boolean } | undefined {
    return this.parked.get(key)
  }

  /** Records that the batch's start was checked against the partition's position. */
  markVerified(key: string): void {
    const parked = this.parked.get(key)
    if (parked !== undefined) parked.verified = true
  }

  /** Takes up to `max` records of a partition's parked batch; the batch is done once all are taken. */
  take(key: string, max: number): LogRecord[] {
    const parked = this.parked.get(key)
    if (parked === undefined || max <= 0) return []
    const records = parked.batch.records.slice(parked.taken, parked.taken + max)
    parked.taken += records.length
    if (parked.taken >= parked.batch.records.length) parked.finish(records.at(-1)?.offset)
    return records
  }

  /** Ends a partition's parked batch early; kafkajs fetches again after what was taken. */
  release(key: string): void {
    const parked = this.parked.get(key)
    if (parked === undefined) return
    parked.finish(parked.taken === 0 ? undefined : parked.batch.records[parked.taken - 1]?.offset)
  }

  releaseAll(): void {
    for (const key of [...this.parked.keys()]) this.release(key)
  }
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
