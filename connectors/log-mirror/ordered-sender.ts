import { InvalidRecordError, RecordTooLargeError } from '../../core/log/errors.js'
import type { Producer, ProducerRecord } from '../../core/log/types.js'

/** A record to send, with what the sender hands back when the target refuses it. */
export interface Outgoing<S> {
  readonly record: ProducerRecord
  readonly source: S
}

/** At most this many batches wait to be sent before `enqueue` waits: bounds the memory a slow target takes. */
const MAX_QUEUED_BATCHES = 16

/**
 * Sends batches in the order they were given, one send at a time, while the caller goes on
 * (the sink's `put` returns before its records are sent). A send that fails stops the sending,
 * and the batch stays first in line: `flush` sends it again, then the rest, so a failure loses
 * nothing and keeps each partition's order. A batch the target refuses for one record's sake
 * (too large, invalid) is sent record by record, and each refused record goes to `refused`.
 *
 * @example
 * const sender = new OrderedSender(producer, (record, error) => context.deadLetter(record, error))
 * await sender.enqueue([{ record: { topic: 'copy', value: bytes }, source: sinkRecord }])
 * await sender.flush() // every batch enqueued so far is in the target
 */
export class OrderedSender<S> {
  private readonly queue: Outgoing<S>[][] = []
  private sending: Promise<void> | undefined
  private failure: { readonly error: unknown } | undefined

  constructor(
    private readonly producer: Producer,
    private readonly refused: (source: S, error: Error) => Promise<void>,
  ) {}

  /** Queues a batch; waits only while too many batches wait already. */
  async enqueue(batch: readonly Outgoing<S>[]): Promise<void> {
    if (batch.length === 0) return
    this.queue.push([...batch])
    if (this.failure === undefined) this.startSending()
    while (this.queue.length > MAX_QUEUED_BATCHES && this.sending !== undefined) await this.sending
  }

  /** Resolves once every batch enqueued so far is sent; after a failure, tries its batch again first, and throws if that fails too. */
  async flush(): Promise<void> {
    this.failure = undefined
    while (this.failed() === undefined && (this.sending !== undefined || this.queue.length > 0)) {
      this.startSending()
      await this.sending
    }
    const failure = this.failed()
    if (failure !== undefined) throw failure.error
  }

  /** Read through a method: the sending sets it while `flush` awaits, which narrowing cannot see. */
  private failed(): { readonly error: unknown } | undefined {
    return this.failure
  }

  /** Batches not yet sent. */
  get pendingBatches(): number {
    return this.queue.length
  }

  private startSending(): void {
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined
    })
  }

  private async drain(): Promise<void> {
    for (let batch = this.queue[0]; batch !== undefined && this.failure === undefined; batch = this.queue[0]) {
      try {
        await this.send(batch)
        this.queue.shift()
      } catch (error) {
        this.failure = { error }
      }
    }
  }

  private async send(batch: Outgoing<S>[]): Promise<void> {
    try {
      await this.producer.send(batch.map((outgoing) => outgoing.record))
    } catch (error) {
      if (!refusesARecord(error)) throw error
      // Nothing of the batch was written: send each record alone to find the ones refused,
      // dropping each from the batch once done, so a failure midway resends only the rest.
      for (let outgoing = batch[0]; outgoing !== undefined; outgoing = batch[0]) {
        try {
          await this.producer.send([outgoing.record])
        } catch (single) {
          if (!refusesARecord(single)) throw single
          await this.refused(outgoing.source, single)
        }
        batch.shift()
      }
    }
  }
}

function refusesARecord(error: unknown): error is Error {
  return error instanceof RecordTooLargeError || error instanceof InvalidRecordError
}
