import type { Log } from '../types.js'
import { MemoryLog, type MemoryLogOptions } from './memory-log.js'

export { MemoryLog, type MemoryLogOptions } from './memory-log.js'

/**
 * Creates a log held in memory: no disk, no data directory, gone when closed. Partitioning,
 * offsets, consumer groups, transactions and read_committed behave as on the embedded log
 * (the same engine over the same RecordBatch v2 bytes); retention and compaction do not run,
 * because they are disk concerns: the memory log keeps every record until `deleteRecords`. Every timestamp and timer
 * comes from `clock`, so under a ManualClock a poll's timeout passes only when the clock is
 * advanced past it.
 *
 * @example
 * const clock = new ManualClock(1_600_000_000_000)
 * const log = createMemoryLog({ clock })
 * await log.createTopic('events', { partitions: 3 })
 * await log.producer().send([{ topic: 'events', key: Buffer.from('k'), value: Buffer.from('v') }])
 * const consumer = log.consumer({ groupId: 'readers' })
 * await consumer.subscribe(['events'])
 * const records = await consumer.poll() // the record, with timestamp 1_600_000_000_000
 */
export function createMemoryLog(options: MemoryLogOptions = {}): Log {
  return new MemoryLog(options)
}
