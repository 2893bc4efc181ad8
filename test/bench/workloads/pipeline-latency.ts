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
import { App } from '../../../index.js'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { filter, mapValues } from '../../../operators/index.js'
import { measurePacedLatency } from '../paced-latency.js'
import { keptCount, lineRecords, logLine } from '../pipeline-data.js'
import { latencyFigures, runWorkload, scaled, withTempDir } from '../report.js'

const targetRecordsPerSecond = 10_000
const commitIntervalMs = 30_000
/** The append time rides in the line, after the sequence: `seq=0000000042 t=00001234567890123456 `. */
const timeMarker = ' t='
const timeDigits = 20

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
      // Outputs are kept in arrival order (no slot): the filter drops some sequences.
      const { producerRun, latenciesMs } = await measurePacedLatency({
        log,
        topic: 'in',
        records,
        recordsPerSecond: targetRecordsPerSecond,
        valueAt: (sequence) => timedLine(sequence, process.hrtime.bigint()),
        consumer: tailer,
        expected: keptCount(records),
        appendTimeOf: (record) => {
          const text = record.value?.toString('latin1') ?? ''
          const at = text.indexOf(timeMarker)
          if (at < 0) throw new Error(`output at offset ${record.offset} carries no append time: ${JSON.stringify(text)}`)
          return { appendNs: BigInt(text.slice(at + timeMarker.length, at + timeMarker.length + timeDigits)) }
        },
      })
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
