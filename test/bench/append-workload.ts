/**
 * `log-append` and `log-append-fsync` are one measurement under two durability policies:
 * append to a fresh log, then write the same bytes in the same batch sizes to a plain file,
 * and compare.
 *
 * @example
 * await runWorkload('log-append', () => measureAppend({ durability: 'none', records: scaled(5_000_000), baseline: 'raw_write' }))
 */
import { join } from 'node:path'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import { appendRecords, valueBytes } from './append.js'
import { rawWrite } from './raw-write.js'
import { directoryBytes, elapsedMs, type Figures, latencyFigures, mbPerSecond, withTempDir } from './report.js'

const batchRecords = 1_000
const topic = 't'

export interface AppendMeasurement {
  readonly durability: 'none' | 'fsync'
  readonly records: number
  /** `raw_write` (plain writes) or `raw_fsync` (a write and an fdatasync per batch). */
  readonly baseline: 'raw_write' | 'raw_fsync'
}

export async function measureAppend(measurement: AppendMeasurement): Promise<Figures> {
  return withTempDir(async (dir) => {
    const logDir = join(dir, 'log')
    const log = await openEmbeddedLog({ dir: logDir, durability: measurement.durability })
    await log.createTopic(topic, { partitions: 1 })
    const appended = await appendRecords(log, { topic, records: measurement.records, batchRecords })
    const described = await log.describeTopic(topic)
    // Close is reported apart: it syncs every segment whatever the durability policy, which the
    // sends under `none` do not promise and the raw baseline does not do.
    const closeStartNs = process.hrtime.bigint()
    await log.close()
    const closeMs = elapsedMs(closeStartNs)
    // Bytes the log put on disk for the partition: its segments, or failing that the whole dir.
    const bytes = described.partitions[0]?.sizeBytes ?? (await directoryBytes(logDir))
    const seconds = appended.seconds

    // The log's files stay until the baseline is done, so that the baseline, like the log,
    // writes into newly allocated page-cache pages rather than ones just freed.
    const raw = rawWrite(join(dir, 'raw'), { totalBytes: bytes, batches: appended.sends, sync: measurement.baseline === 'raw_fsync' })
    const logMbPerSecond = mbPerSecond(bytes, seconds)
    const rawMbPerSecond = mbPerSecond(bytes, raw.seconds)
    const sendLatency = latencyFigures(appended.sendLatenciesMs)
    const rawLatency = latencyFigures(raw.writeLatenciesMs)
    return {
      durability: measurement.durability,
      records: measurement.records,
      batch_records: batchRecords,
      value_bytes: valueBytes,
      bytes,
      overhead_bytes_per_record: (bytes - measurement.records * valueBytes) / measurement.records,
      seconds,
      close_ms: closeMs,
      records_per_s: measurement.records / seconds,
      mb_per_s: logMbPerSecond,
      // Per-send latency: from calling `send` to its promise resolving.
      p50_ms: sendLatency.p50_ms,
      p99_ms: sendLatency.p99_ms,
      [`${measurement.baseline}_seconds`]: raw.seconds,
      [`${measurement.baseline}_p50_ms`]: rawLatency.p50_ms,
      [`${measurement.baseline}_p99_ms`]: rawLatency.p99_ms,
      [`${measurement.baseline}_mb_per_s`]: rawMbPerSecond,
      [`ratio_to_${measurement.baseline}`]: logMbPerSecond / rawMbPerSecond,
    }
  })
}
