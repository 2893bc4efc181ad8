/**
 * Reading a damaged log back the way a consumer does, and comparing what came back with what
 * was written. Polls take a random number of records, so reads also start mid-segment through
 * the offset index; after a CorruptRecordError, reading goes on one record per poll, so every
 * record before the damaged batch is still read and the error is pinned to one place.
 */
import { CorruptRecordError } from '../../core/log/errors.js'
import type { Log, LogRecord } from '../../core/log/types.js'
import type { SeededRandom } from '../crash/seeded-random.js'
import { TOPIC, type WrittenRecord } from './templates.js'

export interface PartitionRead {
  readonly records: readonly LogRecord[]
  /** What the last poll threw; undefined when reading reached the end offset or stopped silently. */
  readonly error: unknown
  /** What every poll threw, the last included (a retry one record at a time may read past damage that holds no record). */
  readonly errors: readonly unknown[]
  readonly endOffset: number
  /** The consumer's position when reading stopped. */
  readonly position: number
}

/** Reads `partition` from `fromOffset` (default: its start) to its end offset or the first error. */
export async function readPartition(log: Log, partition: number, random: SeededRandom, fromOffset?: number): Promise<PartitionRead> {
  const description = await log.describeTopic(TOPIC)
  const endOffset = description.partitions[partition]!.endOffset
  const topicPartition = { topic: TOPIC, partition }
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  const records: LogRecord[] = []
  const errors: unknown[] = []
  let error: unknown
  try {
    await consumer.assign([topicPartition])
    if (fromOffset === undefined) await consumer.seekToBeginning()
    else consumer.seek(topicPartition, fromOffset)
    let onePerPoll = false
    while (consumer.position(topicPartition) < endOffset) {
      let batch: LogRecord[]
      try {
        batch = await consumer.poll({ maxRecords: onePerPoll ? 1 : random.int(1, 64) })
      } catch (caught) {
        errors.push(caught)
        if (onePerPoll) {
          error = caught
          break
        }
        onePerPoll = true
        continue
      }
      if (batch.length === 0) break
      records.push(...batch)
    }
    return { records, error, errors, endOffset, position: consumer.position(topicPartition) }
  } finally {
    await consumer.close()
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b)
}

/** Why `record` is not `written` (undefined when it is the same record at the same offset). */
export function recordDifference(record: LogRecord, written: WrittenRecord): string | undefined {
  if (record.offset !== written.offset) return `offset ${record.offset} where ${written.offset} was written`
  if (record.timestamp !== written.timestamp) return `timestamp ${record.timestamp} at offset ${record.offset}, written ${written.timestamp}`
  if (!sameBytes(record.key, written.key)) return `a different key at offset ${record.offset}`
  if (!sameBytes(record.value, written.value)) return `a different value at offset ${record.offset}`
  const sameHeaders =
    record.headers.length === written.headers.length &&
    record.headers.every((header, i) => header.key === written.headers[i]!.key && header.value.equals(written.headers[i]!.value))
  return sameHeaders ? undefined : `different headers at offset ${record.offset}`
}

/** Problems unless `records` are exactly the written records with offsets in [from, end). */
export function compareWithWritten(records: readonly LogRecord[], written: readonly WrittenRecord[], from: number, end: number): string[] {
  const expected = written.filter((record) => record.offset >= from && record.offset < end)
  for (let i = 0; i < Math.min(records.length, expected.length); i++) {
    const difference = recordDifference(records[i]!, expected[i]!)
    if (difference !== undefined) return [`record ${i} read from offset ${from} differs: ${difference}`]
  }
  if (records.length > expected.length) {
    const extra = records[expected.length]!
    return [`${records.length - expected.length} records served past offset ${end} (the first at offset ${extra.offset}); expected ${expected.length} records in [${from}, ${end})`]
  }
  if (records.length < expected.length) {
    return [`${expected.length - records.length} written records in [${from}, ${end}) not returned, the first at offset ${expected[records.length]!.offset}`]
  }
  return []
}

export function describeError(error: unknown): string {
  if (error instanceof CorruptRecordError) return `CorruptRecordError(${error.topic}, ${error.partition}, ${error.offset}): ${error.message}`
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/**
 * seekToTimestamp must land on the first written record at or after each timestamp (the end
 * offset when there is none), however the time index was damaged.
 */
export async function timestampLookupProblems(log: Log, partition: number, written: readonly WrittenRecord[], timestamps: readonly number[]): Promise<string[]> {
  const description = await log.describeTopic(TOPIC)
  const endOffset = description.partitions[partition]!.endOffset
  const topicPartition = { topic: TOPIC, partition }
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  const problems: string[] = []
  try {
    await consumer.assign([topicPartition])
    for (const timestamp of timestamps) {
      const expected = written.find((record) => record.timestamp >= timestamp)?.offset ?? endOffset
      await consumer.seekToTimestamp(topicPartition, timestamp)
      const found = consumer.position(topicPartition)
      if (found !== expected) {
        problems.push(`seekToTimestamp(${timestamp}) landed on offset ${found}, expected ${expected}`)
        break
      }
    }
  } catch (error) {
    problems.push(`seekToTimestamp threw ${describeError(error)}`)
  } finally {
    await consumer.close()
  }
  return problems
}

/**
 * A read starting at any offset (so through any index entry) returns the first written record
 * at or after it: the first problem found, if any.
 */
export async function seekEveryOffsetProblems(log: Log, partition: number, written: readonly WrittenRecord[]): Promise<string[]> {
  const description = await log.describeTopic(TOPIC)
  const { startOffset, endOffset } = description.partitions[partition]!
  const topicPartition = { topic: TOPIC, partition }
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  try {
    await consumer.assign([topicPartition])
    let nextWritten = 0
    for (let offset = startOffset; offset < endOffset; offset++) {
      while (nextWritten < written.length && written[nextWritten]!.offset < offset) nextWritten++
      const expected = written[nextWritten]
      consumer.seek(topicPartition, offset)
      let records: LogRecord[]
      try {
        records = await consumer.poll({ maxRecords: 1 })
      } catch (error) {
        return [`a read from offset ${offset} threw ${describeError(error)}`]
      }
      const [record] = records
      if (expected === undefined && record !== undefined) return [`a read from offset ${offset} returned offset ${record.offset}; nothing was written there or after`]
      if (expected !== undefined && record === undefined) return [`a read from offset ${offset} returned nothing; offset ${expected.offset} was written`]
      if (expected !== undefined && record !== undefined) {
        const difference = recordDifference(record, expected)
        if (difference !== undefined) return [`a read from offset ${offset} returned ${difference}`]
      }
    }
    return []
  } finally {
    await consumer.close()
  }
}

/**
 * Reads starting at each of `offsets` (in the damaged segment): each returns written records
 * from that offset on, in order and byte-equal, or (when `mayThrow`: damage left in a sealed
 * segment) throws a CorruptRecordError of the partition; never a record that was not written
 * at the offset it comes with.
 */
export async function seekIntoDamageProblems(log: Log, partition: number, written: readonly WrittenRecord[], offsets: Iterable<number>, mayThrow: boolean, random: SeededRandom): Promise<string[]> {
  const topicPartition = { topic: TOPIC, partition }
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  try {
    await consumer.assign([topicPartition])
    for (const offset of offsets) {
      consumer.seek(topicPartition, offset)
      let records: LogRecord[]
      try {
        records = await consumer.poll({ maxRecords: random.int(1, 8) })
      } catch (error) {
        if (mayThrow && error instanceof CorruptRecordError && error.topic === TOPIC && error.partition === partition) continue
        return [`a read from offset ${offset} in the damaged segment threw ${describeError(error)}`]
      }
      const expected = written.filter((record) => record.offset >= offset).slice(0, records.length)
      for (let i = 0; i < records.length; i++) {
        const difference = expected[i] === undefined ? `offset ${records[i]!.offset}, nothing written there` : recordDifference(records[i]!, expected[i]!)
        if (difference !== undefined) return [`a read from offset ${offset} in the damaged segment returned, as its record ${i}, ${difference}`]
      }
    }
    return []
  } finally {
    await consumer.close()
  }
}
