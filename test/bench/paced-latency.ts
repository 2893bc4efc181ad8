/**
 * What the steady-rate latency workloads share: a producer that appends one record at a time on
 * an hrtime schedule into partition 0 of a topic, and a tail that polls a consumer until every
 * expected record has arrived, turning the append time each one carries into a latency.
 *
 * @example
 * const { producerRun, latenciesMs } = await measurePacedLatency({
 *   log, topic: 'in', records, recordsPerSecond: 10_000, valueAt: (i) => stamped(i, process.hrtime.bigint()),
 *   consumer, expected: records, appendTimeOf: (record) => ({ appendNs: readStamp(record) }),
 * })
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Consumer, LogRecord, Log } from '../../core/log/types.js'

const pollTimeoutMs = 1_000
/** Empty polls in a row after the producer finished before we call delivery stuck. */
const emptyPollLimitAfterProducer = 3

export interface ProducerRun {
  readonly seconds: number
  /** How far behind its schedule the producer fell at worst. */
  readonly maxLagMs: number
}

/** Where a delivered record says it was appended, and (if not arrival order) which latency slot it fills. */
export interface AppendTime {
  readonly appendNs: bigint
  readonly slot?: number
}

export interface PacedLatencyOptions {
  readonly log: Log
  /** Produced into partition 0. */
  readonly topic: string
  readonly records: number
  readonly recordsPerSecond: number
  /** The value of record `index`; it reads `process.hrtime.bigint()` for the append time it carries. */
  readonly valueAt: (index: number) => Buffer
  /** Already subscribed or assigned to what it should tail. */
  readonly consumer: Consumer
  /** How many records the tail waits for. */
  readonly expected: number
  readonly appendTimeOf: (record: LogRecord) => AppendTime
}

/** Runs the paced producer and the tail together; the latencies are in slot (or arrival) order. */
export async function measurePacedLatency(options: PacedLatencyOptions): Promise<{ producerRun: ProducerRun; latenciesMs: Float64Array }> {
  const latenciesMs = new Float64Array(options.expected)
  const producerState = { done: false }
  const [producerRun] = await Promise.all([
    produceOnSchedule(options).finally(() => {
      producerState.done = true
    }),
    tail(options, latenciesMs, producerState),
  ])
  return { producerRun, latenciesMs }
}

/**
 * Sends record `i` when `start + i × interval` is due, awaiting each send. Between sends it
 * yields with setImmediate (so the consumer and any app run) and rereads hrtime, so the schedule
 * never drifts: a late send is followed at once by the ones that fell due meanwhile.
 */
async function produceOnSchedule({ log, topic, records, recordsPerSecond, valueAt }: PacedLatencyOptions): Promise<ProducerRun> {
  const intervalNs = BigInt(1e9 / recordsPerSecond)
  const producer = log.producer()
  const startNs = process.hrtime.bigint()
  let maxLagNs = 0n
  for (let index = 0; index < records; index++) {
    const dueNs = startNs + BigInt(index) * intervalNs
    let nowNs = process.hrtime.bigint()
    while (nowNs < dueNs) {
      await nextTurn()
      nowNs = process.hrtime.bigint()
    }
    if (nowNs - dueNs > maxLagNs) maxLagNs = nowNs - dueNs
    await producer.send([{ topic, partition: 0, key: null, value: valueAt(index) }])
  }
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9
  await producer.close()
  return { seconds, maxLagMs: Number(maxLagNs) / 1e6 }
}

/** Polls until every expected record has arrived, keeping each one's latency in its slot. */
async function tail({ consumer, appendTimeOf }: PacedLatencyOptions, latenciesMs: Float64Array, producer: { readonly done: boolean }): Promise<void> {
  let delivered = 0
  let emptyPollsAfterProducer = 0
  while (delivered < latenciesMs.length) {
    const batch = await consumer.poll({ timeoutMs: pollTimeoutMs })
    const deliveredNs = process.hrtime.bigint()
    for (const record of batch) {
      const { appendNs, slot } = appendTimeOf(record)
      if (delivered >= latenciesMs.length) throw new Error(`more outputs than the ${latenciesMs.length} expected`)
      latenciesMs[slot ?? delivered] = Number(deliveredNs - appendNs) / 1e6
      delivered++
    }
    if (batch.length === 0 && producer.done && ++emptyPollsAfterProducer >= emptyPollLimitAfterProducer) {
      throw new Error(`delivery stuck: ${delivered} of ${latenciesMs.length} records arrived`)
    }
  }
}
