/**
 * The soak's load: a paced producer of keyed records that carry their send time, and a reader of
 * the app's output that turns each record's send time into an end-to-end latency.
 *
 * @example
 * const load = new SoakLoad(log, { inputTopic: 'soak-in', outputTopic: 'soak-out', recordsPerSecond: 3000, keys: 10_000, maxLagRecords: 15_000 })
 * await load.startReader()
 * const producing = load.produce()
 * // … later
 * load.stopProducing(); await producing; await load.drain(30_000); await load.close()
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, Log, LogRecord, Producer, ProducerRecord } from '../../core/log/types.js'

export interface LoadOptions {
  readonly inputTopic: string
  readonly outputTopic: string
  readonly recordsPerSecond: number
  readonly keys: number
  /** The producer waits while more records than this are produced and not yet read from the output. */
  readonly maxLagRecords: number
}

/** Padding that brings a value to about 100 bytes. */
const PADDING = 'x'.repeat(64)
/** How often the producer checks its schedule. */
const TICK_MS = 10
/** The most records one send carries. */
const MAX_SEND_RECORDS = 1_000
const POLL_TIMEOUT_MS = 200
const READER_COMMIT_INTERVAL_MS = 5_000

/**
 * Wall-clock milliseconds with sub-millisecond precision (monotonic within the process).
 *
 * @example
 * const latencyMs = nowMs() - sentMs
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

/**
 * The producer and the reader. Counters and the current window's latencies are read by the
 * sampler; `takeLatencies` hands over the window and starts the next.
 *
 * @example
 * const latencies = load.takeLatencies() // Float64Array of ms since the last call
 */
export class SoakLoad {
  produced = 0
  consumed = 0
  /** Time the producer spent waiting for the app to catch up, in ms, over the run. */
  pausedMs = 0
  private latencies: number[] = []
  private producing = true
  private reading = true
  private readerLoop: Promise<void> | undefined
  private readonly producer: Producer
  private readonly consumer: Consumer

  constructor(
    log: Log,
    private readonly options: LoadOptions,
  ) {
    this.producer = log.producer()
    this.consumer = log.consumer({ groupId: `${options.outputTopic}-reader`, autoOffsetReset: 'earliest' })
  }

  /** Produced and not yet read back from the output topic. */
  get lag(): number {
    return this.produced - this.consumed
  }

  /** Joins the reader's group and starts reading the output in the background. */
  async startReader(): Promise<void> {
    await this.consumer.subscribe([this.options.outputTopic])
    this.readerLoop = this.read()
  }

  /**
   * Sends records on a schedule of `recordsPerSecond` until `stopProducing`; falls behind the
   * schedule (and counts the time as paused) while the lag exceeds `maxLagRecords`, so it never
   * outruns the app without bound and never bursts to make up for a pause.
   *
   * @example
   * const producing = load.produce(); load.stopProducing(); await producing
   */
  async produce(): Promise<void> {
    const { recordsPerSecond, maxLagRecords } = this.options
    let scheduleStart = performance.now()
    let scheduled = 0
    while (this.producing) {
      if (this.lag > maxLagRecords) {
        const before = performance.now()
        await sleep(TICK_MS)
        this.pausedMs += performance.now() - before
        scheduleStart += performance.now() - before
        continue
      }
      const due = Math.floor(((performance.now() - scheduleStart) / 1000) * recordsPerSecond) - scheduled
      if (due <= 0) {
        await sleep(TICK_MS)
        continue
      }
      const count = Math.min(due, MAX_SEND_RECORDS)
      await this.producer.send(this.records(count))
      scheduled += count
      this.produced += count
    }
  }

  /** Ends `produce` after the send in hand. */
  stopProducing(): void {
    this.producing = false
  }

  /**
   * Waits until every produced record has been read, or `timeoutMs` has passed; returns the
   * records still unread.
   *
   * @example
   * const unread = await load.drain(30_000)
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs
    while (this.consumed < this.produced && performance.now() < deadline) await sleep(50)
    return this.produced - this.consumed
  }

  /** The latencies (ms) of the records read since the last call. */
  takeLatencies(): Float64Array {
    const window = Float64Array.from(this.latencies)
    this.latencies = []
    return window
  }

  /** Stops the reader and closes the producer and the consumer. */
  async close(): Promise<void> {
    this.producing = false
    this.reading = false
    this.consumer.wakeup()
    await this.readerLoop
    await this.producer.close()
    await this.consumer.close()
  }

  private records(count: number): ProducerRecord[] {
    const { inputTopic, keys } = this.options
    const sentMs = nowMs().toFixed(3)
    const records: ProducerRecord[] = []
    for (let i = 0; i < count; i++) {
      const sequence = this.produced + i
      records.push({ topic: inputTopic, key: Buffer.from(`key-${sequence % keys}`), value: Buffer.from(`${sentMs}:${sequence}:${PADDING}`) })
    }
    return records
  }

  private async read(): Promise<void> {
    let lastCommit = performance.now()
    while (this.reading) {
      const batch = await this.consumer.poll({ timeoutMs: POLL_TIMEOUT_MS })
      const readMs = nowMs()
      for (const record of batch) this.latencies.push(readMs - sentTimeOf(record))
      this.consumed += batch.length
      if (performance.now() - lastCommit >= READER_COMMIT_INTERVAL_MS) {
        await this.consumer.commit()
        lastCommit = performance.now()
      }
    }
  }
}

/** The send time a record's value starts with (`<ms>:<sequence>:<padding>`). */
function sentTimeOf(record: LogRecord): number {
  const value = record.value?.toString() ?? ''
  const sentMs = Number(value.slice(0, value.indexOf(':')))
  if (!Number.isFinite(sentMs)) throw new Error(`output record ${record.topic}-${record.partition}@${record.offset} carries no send time: ${value.slice(0, 80)}`)
  return sentMs
}
