/**
 * Append-to-output latency of a running app at a steady rate: a producer appends 10,000 log
 * lines per second to the input on an hrtime schedule; the app (`filter → mapValues → to`,
 * at_least_once) writes the output topic, which a consumer in the same process tails. Each
 * line carries the `process.hrtime.bigint()` read just before its append; the tail subtracts
 * it from its own reading when the output record arrives.
 *
 * The app runs with at_least_once's default commit interval, 30 s: outputs are sent as soon as
 * each fetched batch is processed, so the commit interval (how often input offsets are
 * committed) does not bound the latency.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { App } from '../../../index.js'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Consumer, Log } from '../../../core/log/types.js'
import { filter, mapValues } from '../../../operators/index.js'
import { keptCount, lineRecords, logLine } from '../pipeline-data.js'
import { latencyFigures, runWorkload, scaled, withTempDir } from '../report.js'

const targetRecordsPerSecond = 10_000
const intervalNs = BigInt(1e9 / targetRecordsPerSecond)
const commitIntervalMs = 30_000
const pollTimeoutMs = 1_000
/** Empty polls in a row after the producer finished before we call delivery stuck. */
const emptyPollLimitAfterProducer = 3
/** The append time rides in the line, after the sequence: `seq=0000000042 t=00001234567890123456 `. */
const timeMarker = ' t='
const timeDigits = 20

interface ProducerRun {
  readonly seconds: number
  readonly maxLagMs: number
}

await runWorkload('pipeline-latency', () =>
  withTempDir(async (dir) => {
    const records = scaled(100_000)
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    try {
      for (const topic of ['in', 'out']) await log.createTopic(topic, { partitions: 1 })
      const app = new App({ id: 'latency', log, processing: 'at_least_once', commitIntervalMs, handleSignals: false })
      app
        .stream('in', { value: lineRecords.serde })
        .pipe(filter(lineRecords.keep), mapValues(lineRecords.transform))
        .to('out', { value: lineRecords.serde })
      const tailer = log.consumer({ isolation: 'read_uncommitted' })
      await tailer.assign([{ topic: 'out', partition: 0 }])
      await app.start()
      const latenciesMs = new Float64Array(keptCount(records))
      const producerState = { done: false }
      const [producerRun] = await Promise.all([
        produceOnSchedule(log, records).finally(() => {
          producerState.done = true
        }),
        tail(tailer, latenciesMs, producerState),
      ])
      await app.stop()
      await app.done
      await tailer.close()
      return {
        processing: 'at_least_once',
        commit_interval_ms: commitIntervalMs,
        records,
        outputs: latenciesMs.length,
        target_records_per_s: targetRecordsPerSecond,
        records_per_s: records / producerRun.seconds,
        seconds: producerRun.seconds,
        max_schedule_lag_ms: producerRun.maxLagMs,
        commits: app.metrics().commits,
        ...latencyFigures(latenciesMs),
      }
    } finally {
      await log.close()
    }
  }),
)

/** The line of record `sequence` with the append time written into it. */
function timedLine(sequence: number, appendNs: bigint): Buffer {
  const line = logLine(sequence)
  const at = line.indexOf(' user=')
  const stamped = `${line.slice(0, at)}${timeMarker}${String(appendNs).padStart(timeDigits, '0')}${line.slice(at)}`
  return Buffer.from(stamped.slice(0, line.length), 'latin1')
}

/**
 * Appends record `i` when `start + i × interval` is due, one awaited send each, yielding with
 * setImmediate between sends (so the app and the tail run); a late send is followed at once by
 * the ones that fell due meanwhile.
 */
async function produceOnSchedule(log: Log, records: number): Promise<ProducerRun> {
  const producer = log.producer()
  const startNs = process.hrtime.bigint()
  let maxLagNs = 0n
  for (let sequence = 0; sequence < records; sequence++) {
    const dueNs = startNs + BigInt(sequence) * intervalNs
    let nowNs = process.hrtime.bigint()
    while (nowNs < dueNs) {
      await nextTurn()
      nowNs = process.hrtime.bigint()
    }
    if (nowNs - dueNs > maxLagNs) maxLagNs = nowNs - dueNs
    await producer.send([{ topic: 'in', partition: 0, key: null, value: timedLine(sequence, process.hrtime.bigint()) }])
  }
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9
  await producer.close()
  return { seconds, maxLagMs: Number(maxLagNs) / 1e6 }
}

/** Polls the output until every expected record has arrived, keeping each one's latency in arrival order. */
async function tail(consumer: Consumer, latenciesMs: Float64Array, producer: { readonly done: boolean }): Promise<void> {
  let delivered = 0
  let emptyPollsAfterProducer = 0
  while (delivered < latenciesMs.length) {
    const batch = await consumer.poll({ timeoutMs: pollTimeoutMs })
    const deliveredNs = process.hrtime.bigint()
    for (const record of batch) {
      const text = record.value?.toString('latin1') ?? ''
      const at = text.indexOf(timeMarker)
      if (at < 0) throw new Error(`output at offset ${record.offset} carries no append time: ${JSON.stringify(text)}`)
      if (delivered >= latenciesMs.length) throw new Error(`more outputs than the ${latenciesMs.length} expected`)
      latenciesMs[delivered++] = Number(deliveredNs - BigInt(text.slice(at + timeMarker.length, at + timeMarker.length + timeDigits))) / 1e6
    }
    if (batch.length === 0 && producer.done && ++emptyPollsAfterProducer >= emptyPollLimitAfterProducer) {
      throw new Error(`delivery stuck: ${delivered} of ${latenciesMs.length} records arrived`)
    }
  }
}
