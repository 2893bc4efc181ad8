/**
 * Append-to-delivery latency at a steady rate: a producer sends one record at a time on an
 * hrtime schedule while a consumer in the same process tails the partition. Each value
 * carries the `process.hrtime.bigint()` taken just before its `send`; the consumer subtracts
 * it from its own reading when the record is delivered.
 */
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { valueBytes } from '../append.js'
import { measurePacedLatency } from '../paced-latency.js'
import { latencyFigures, runWorkload, scaled, withTempDir } from '../report.js'

const topic = 't'
const targetRecordsPerSecond = 10_000

await runWorkload('log-latency', () =>
  withTempDir(async (dir) => {
    const records = scaled(100_000)
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    await log.createTopic(topic, { partitions: 1 })
    const consumer = log.consumer({ groupId: 'g', isolation: 'read_uncommitted' })
    await consumer.subscribe([topic])
    const { producerRun, latenciesMs } = await measurePacedLatency({
      log,
      topic,
      records,
      recordsPerSecond: targetRecordsPerSecond,
      valueAt: timedValue,
      consumer,
      expected: records,
      appendTimeOf: (record) => {
        if (record.value === null) throw new Error(`record at offset ${record.offset} has a null value`)
        return { appendNs: record.value.readBigInt64BE(0), slot: record.value.readUInt32BE(8) }
      },
    })
    await consumer.close()
    await log.close()
    return {
      durability: 'none',
      records,
      target_records_per_s: targetRecordsPerSecond,
      records_per_s: records / producerRun.seconds,
      seconds: producerRun.seconds,
      max_schedule_lag_ms: producerRun.maxLagMs,
      ...latencyFigures(latenciesMs),
    }
  }),
)

/** Record `index`'s value: the append time (hrtime, read last) at 0, the index at 8. */
function timedValue(index: number): Buffer {
  const value = Buffer.alloc(valueBytes)
  value.writeUInt32BE(index, 8)
  value.writeBigInt64BE(process.hrtime.bigint(), 0)
  return value
}
