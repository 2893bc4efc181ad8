/**
 * Compaction of a large changelog-like partition: 2,000,000 keyed records (200,000 keys, each
 * updated ten times in turn; 600-byte values) in one partition of a `compact` topic with the
 * default 1 GiB segments, as the runtime creates changelogs. The log is closed and reopened, then
 * one `runMaintenance` compacts the sealed segment; only that is timed, and its RSS sampled
 * (`compact_max_rss_mb`). The partition is then read back and every key's last value checked.
 */
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Consumer, ProducerRecord } from '../../../core/log/types.js'
import { elapsedMs, runWorkload, scaled, withRssSampled, withTempDir } from '../report.js'

const topic = 'changelog'
const valueBytes = 600
const batchRecords = 1_000

await runWorkload('log-compact', () =>
  withTempDir(async (dir) => {
    const records = scaled(2_000_000)
    const keys = Math.max(1, Math.min(200_000, Math.floor(records / 10)))
    const writer = await openEmbeddedLog({ dir, durability: 'none', maintenanceIntervalMs: 0 })
    await writer.createTopic(topic, { partitions: 1, cleanup: 'compact' })
    const producer = writer.producer()
    for (let first = 0; first < records; first += batchRecords) {
      const batch: ProducerRecord[] = []
      for (let sequence = first; sequence < Math.min(records, first + batchRecords); sequence++) batch.push(recordOf(sequence, keys))
      await producer.send(batch)
    }
    await producer.close()
    await writer.close()

    const log = await openEmbeddedLog({ dir, durability: 'none', maintenanceIntervalMs: 0 })
    const bytesBefore = (await log.describeTopic(topic)).partitions[0]?.sizeBytes ?? 0
    const startNs = process.hrtime.bigint()
    const { result, maxRssMb } = await withRssSampled(() => log.runMaintenance())
    const seconds = elapsedMs(startNs) / 1000
    const bytesAfter = (await log.describeTopic(topic)).partitions[0]?.sizeBytes ?? 0
    const consumer = log.consumer({ isolation: 'read_uncommitted' })
    const kept = await checkLatestValues(consumer, records, keys)
    await consumer.close()
    await log.close()
    if (result.recordsCompacted === 0) throw new Error('nothing was compacted: the partition has no sealed segment')
    return {
      records,
      keys,
      value_bytes: valueBytes,
      bytes_before: bytesBefore,
      bytes_after: bytesAfter,
      records_removed: result.recordsCompacted,
      records_kept: kept,
      seconds,
      compact_max_rss_mb: maxRssMb,
    }
  }),
)

/** Record `sequence`: key `sequence % keys`, its value led by the sequence number. */
function recordOf(sequence: number, keys: number): ProducerRecord {
  const value = Buffer.alloc(valueBytes, 0x61)
  value.writeUInt32BE(sequence, 0)
  return { topic, partition: 0, key: Buffer.from(`key-${String(sequence % keys).padStart(8, '0')}`), value }
}

/** Reads the partition back and checks that the last value of every key is its last write; returns the records read. */
async function checkLatestValues(consumer: Consumer, records: number, keys: number): Promise<number> {
  await consumer.assign([{ topic, partition: 0 }])
  await consumer.seekToBeginning()
  const last = new Map<string, number>()
  let read = 0
  for (;;) {
    const batch = await consumer.poll({ maxRecords: 10_000 })
    if (batch.length === 0) break
    read += batch.length
    for (const record of batch) last.set(record.key!.toString(), record.value!.readUInt32BE(0))
  }
  if (last.size !== keys) throw new Error(`${last.size} keys read back, ${keys} written`)
  for (const [key, sequence] of last) {
    const expected = records - 1 - ((records - 1 - Number(key.slice(4))) % keys)
    if (sequence !== expected) throw new Error(`${key} reads back write ${sequence}, its last write was ${expected}`)
  }
  return read
}
