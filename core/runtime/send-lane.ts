import type { Producer, ProducerRecord } from '../log/types.js'

/** Where a lane's records go: a producer, or a task's open transaction. */
export type SendTarget = Pick<Producer, 'send'>

/**
 * The sends of one producer (or one task's transaction), one in flight at a time so records keep
 * their order, with the records added meanwhile queued for the next send (as a Kafka producer's
 * accumulator fills the next batch while one is on the wire). Adding never waits for the broker
 * unless `maxQueued` records are already queued. A failed send fails the next `add` or `settled`,
 * once; the records queued behind it are dropped with it (the runtime then restarts its tasks from
 * their last commit, which produces them again).
 *
 * @example
 * const lane = new SendLane((records) => metrics.count(records), 10_000)
 * await lane.add(producer, outputs) // returns while the send is on its way
 * await lane.settled()              // everything added is written (or this throws)
 */
export class SendLane {
  private inFlight: Promise<void> | undefined
  private queued: ProducerRecord[] = []
  private queuedTarget: SendTarget | undefined
  private failure: { readonly error: unknown } | undefined

  constructor(
    /** Called with each send's records once they are written. */
    private readonly onWritten: (records: readonly ProducerRecord[]) => void,
    private readonly maxQueued: number,
  ) {}

  /** Whether nothing is in flight or queued, and no failure waits to be reported. */
  get idle(): boolean {
    return this.inFlight === undefined && this.queued.length === 0 && this.failure === undefined
  }

  /** Queues records for `target`, sending them at once when nothing is in flight. */
  async add(target: SendTarget, records: readonly ProducerRecord[]): Promise<void> {
    this.throwFailure()
    if (records.length === 0) return
    // Records for another target (a new transaction) go after everything for the previous one.
    if (this.queuedTarget !== undefined && this.queuedTarget !== target) await this.settled()
    for (const record of records) this.queued.push(record)
    this.queuedTarget = target
    if (this.inFlight === undefined) this.sendQueued()
    while (this.queued.length >= this.maxQueued && this.inFlight !== undefined) await this.inFlight
    this.throwFailure()
  }

  /** Waits until every record added is written; throws (once) the failure of a send. */
  async settled(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight
    this.throwFailure()
  }

  private sendQueued(): void {
    const records = this.queued
    const target = this.queuedTarget!
    this.queued = []
    this.queuedTarget = undefined
    this.inFlight = target.send(records).then(
      () => {
        this.onWritten(records)
        this.inFlight = undefined
        if (this.queued.length > 0) this.sendQueued()
      },
      (error: unknown) => {
        this.failure = { error }
        this.queued = []
        this.queuedTarget = undefined
        this.inFlight = undefined
      },
    )
  }

  private throwFailure(): void {
    const failure = this.failure
    if (failure === undefined) return
    this.failure = undefined
    throw failure.error
  }
}
