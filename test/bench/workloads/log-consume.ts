/**
 * Single-reader throughput: one consumer reads a whole one-partition topic back from
 * segment files (the log is closed and reopened first, so nothing is served from memory
 * the writer left behind). Only the reading is timed.
 */
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Consumer } from '../../../core/log/types.js'
import { appendRecords, valueBytes } from '../append.js'
import { elapsedMs, mbPerSecond, runWorkload, scaled, withTempDir } from '../report.js'

const topic = 't'
const maxRecords = 10_000
/** Empty polls in a row, each up to `pollTimeoutMs`, before we call the read stuck. */
const emptyPollLimit = 50
const pollTimeoutMs = 100

await runWorkload('log-consume', () =>
  withTempDir(async (dir) => {
    const records = scaled(10_000_000)
    const writer = await openEmbeddedLog({ dir, durability: 'none' })
    await writer.createTopic(topic, { partitions: 1 })
    await appendRecords(writer, { topic, records, batchRecords: 1_000 })
    await writer.close()

    const log = await openEmbeddedLog({ dir, durability: 'none' })
    const bytes = (await log.describeTopic(topic)).partitions[0]?.sizeBytes
    const consumer = log.consumer({ groupId: 'g', isolation: 'read_uncommitted' })
    const subscribeStartNs = process.hrtime.bigint()
    await consumer.subscribe([topic])
    const subscribeMs = elapsedMs(subscribeStartNs)
    const readStartNs = process.hrtime.bigint()
    const polls = await readAll(consumer, records)
    const seconds = elapsedMs(readStartNs) / 1000
    await consumer.close()
    await log.close()
    return {
      records,
      value_bytes: valueBytes,
      seconds,
      records_per_s: records / seconds,
      ...(bytes === undefined ? {} : { bytes, mb_per_s: mbPerSecond(bytes, seconds) }),
      polls,
      subscribe_ms: subscribeMs,
    }
  }),
)

/**
 * Polls until `expected` records have arrived, checking at each poll that offsets run on
 * without a gap or repeat (a cheap check that keeps the timed loop honest). Returns the poll count.
 */
async function readAll(consumer: Consumer, expected: number): Promise<number> {
  let nextOffset = 0
  let polls = 0
  let emptyPolls = 0
  while (nextOffset < expected) {
    const batch = await consumer.poll({ maxRecords, timeoutMs: pollTimeoutMs })
    polls++
    const first = batch[0]
    const last = batch[batch.length - 1]
    if (first === undefined || last === undefined) {
      if (++emptyPolls >= emptyPollLimit) throw new Error(`read stuck at offset ${nextOffset} of ${expected}`)
      continue
    }
    emptyPolls = 0
    if (first.offset !== nextOffset || last.offset !== nextOffset + batch.length - 1) {
      throw new Error(`poll returned offsets ${first.offset}..${last.offset} (${batch.length} records), expected to start at ${nextOffset}`)
    }
    nextOffset += batch.length
  }
  return polls
}
