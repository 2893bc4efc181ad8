/**
 * The checker of the count-by-key kill -9 test: opens the data directory in this process, reads
 * the group's committed input offsets and the latest count per word of the changelog and of the
 * output topic, and compares counts with bounds from the model, reporting by class (lost or
 * low, duplicated or high, words the input never had), so one run reports all of them.
 */
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { IsolationLevel, Log, LogRecord } from '../../core/log/types.js'
import { CLEAN, type CheckReport } from '../chaos/checker.js'
import { COUNT_APP_ID, COUNT_CHANGELOG, COUNT_INPUT, COUNT_OUTPUT, COUNT_PARTITIONS } from './count-workload.js'

const POLL_RECORDS = 5_000
/** Examples a problem line names, so a failure shows real words without flooding the output. */
const EXAMPLES = 5

export interface CountState {
  /** The group's committed offset of each input partition (0 where none). */
  readonly committedOffsets: readonly number[]
  readonly inputEndOffsets: readonly number[]
  /** The latest count of each word, under read_committed. */
  readonly changelog: ReadonlyMap<string, number>
  readonly output: ReadonlyMap<string, number>
  /** Output records read_uncommitted sees beyond read_committed: aborted or still open transactions (the changelog's are compacted away). */
  readonly uncommittedOnly: number
  readonly problems: readonly string[]
}

/** Where a count may lie: at least `lower` (every word of it present), at most `upper` when given (no other word). */
export interface CountBounds {
  readonly lower: ReadonlyMap<string, number>
  readonly upper?: ReadonlyMap<string, number>
}

/** Each input partition's words, in offset order. */
export async function readInputWords(dir: string): Promise<string[][]> {
  const log = await openEmbeddedLog({ dir, readOnly: true, durability: 'none', maintenanceIntervalMs: 0 })
  try {
    const words: string[][] = Array.from({ length: COUNT_PARTITIONS }, () => [])
    await readTopic(log, COUNT_INPUT, 'read_committed', (record) => {
      const partition = words[record.partition]!
      if (record.offset !== partition.length) throw new Error(`${COUNT_INPUT}-${record.partition} has a gap before offset ${record.offset}`)
      partition.push(record.key!.toString('utf8'))
    })
    return words
  } finally {
    await log.close()
  }
}

/**
 * Reads the log's state. With `readOnly` the log is opened beside no writer and recovers
 * nothing, so a transaction the kill interrupted stays open or half completed, as the kill
 * left it; otherwise opening finishes it (aborts it, or completes a prepared commit).
 */
export async function readCountState(dir: string, options: { readOnly: boolean }): Promise<CountState> {
  const problems: string[] = []
  const log = await openEmbeddedLog({ dir, readOnly: options.readOnly, durability: 'none', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
  try {
    const committedOffsets = await groupOffsets(log)
    const inputEndOffsets = (await log.describeTopic(COUNT_INPUT)).partitions.map(({ endOffset }) => endOffset)
    const changelog = await latestCounts(log, COUNT_CHANGELOG, 'read_committed', problems)
    const output = await latestCounts(log, COUNT_OUTPUT, 'read_committed', problems)
    const uncommittedOnly = (await latestCounts(log, COUNT_OUTPUT, 'read_uncommitted', problems)).records - output.records
    return { committedOffsets, inputEndOffsets, changelog: changelog.counts, output: output.counts, uncommittedOnly, problems }
  } finally {
    await log.close()
  }
}

/**
 * `counts` (named `what`) against `bounds` by the shared checker's classes: words counted too low
 * are lost records, too high duplicated ones, words the input never had a state mismatch.
 */
export function checkCounts(what: string, counts: ReadonlyMap<string, number>, bounds: CountBounds): CheckReport {
  const low: string[] = []
  const high: string[] = []
  const unknown: string[] = []
  for (const [word, expected] of bounds.lower) {
    const count = counts.get(word)
    if (count === undefined || count < expected) low.push(`${word}: ${count ?? 'missing'} < ${expected}`)
  }
  if (bounds.upper !== undefined) {
    for (const [word, count] of counts) {
      const limit = bounds.upper.get(word)
      if (limit === undefined) unknown.push(`${word}: ${count}`)
      else if (count > limit) high.push(`${word}: ${count} > ${limit}`)
    }
  }
  const line = (kind: string, found: readonly string[]): string => `${what}: ${found.length} ${kind} (${found.slice(0, EXAMPLES).join(', ')}${found.length > EXAMPLES ? ', …' : ''})`
  const problems = [
    ...(low.length > 0 ? [line('words lost or counted too low', low)] : []),
    ...(high.length > 0 ? [line('words counted too high (duplicates)', high)] : []),
    ...(unknown.length > 0 ? [line('words counted that this input does not have', unknown)] : []),
  ]
  return { ...CLEAN, lost: low.length, duplicated: high.length, state_mismatch: unknown.length, problems }
}

/** How far `counts` is above `model` in all (the duplicates at_least_once may leave). */
export function excessOver(counts: ReadonlyMap<string, number>, model: ReadonlyMap<string, number>): number {
  let excess = 0
  for (const [word, count] of counts) excess += Math.max(0, count - (model.get(word) ?? 0))
  return excess
}

/** What differs between two count maps (the same state seen two ways): a state mismatch per word. */
export function differences(what: string, a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): CheckReport {
  const found: string[] = []
  for (const word of new Set([...a.keys(), ...b.keys()])) if (a.get(word) !== b.get(word)) found.push(`${word}: ${a.get(word) ?? 'missing'} vs ${b.get(word) ?? 'missing'}`)
  const problems = found.length === 0 ? [] : [`${what}: ${found.length} words differ (${found.slice(0, EXAMPLES).join(', ')}${found.length > EXAMPLES ? ', …' : ''})`]
  return { ...CLEAN, state_mismatch: found.length, problems }
}

async function groupOffsets(log: Log): Promise<number[]> {
  const consumer = log.consumer({ groupId: COUNT_APP_ID })
  const partitions = Array.from({ length: COUNT_PARTITIONS }, (_, partition) => ({ topic: COUNT_INPUT, partition }))
  const committed = await consumer.committed(partitions)
  await consumer.close()
  return committed.map((offset) => offset ?? 0)
}

/** The latest count of each word in a topic of counts (float64 values), and how many records it read. */
async function latestCounts(log: Log, topic: string, isolation: IsolationLevel, problems: string[]): Promise<{ counts: Map<string, number>; records: number }> {
  const counts = new Map<string, number>()
  let records = 0
  try {
    await readTopic(log, topic, isolation, (record) => {
      records++
      const word = record.key?.toString('utf8')
      if (word === undefined || record.value === null || record.value.length !== 8) {
        problems.push(`wrong: ${isolation} read ${topic}-${record.partition}@${record.offset}, which the app never wrote (key ${String(word)}, ${record.value?.length ?? 'null'} value bytes)`)
        return
      }
      counts.set(word, record.value.readDoubleBE(0))
    })
  } catch (error) {
    problems.push(`${isolation} read of ${topic} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
  }
  return { counts, records }
}

/** Every record of a topic (none when it does not exist yet), partition by partition, in offset order. */
async function readTopic(log: Log, topic: string, isolation: IsolationLevel, onRecord: (record: LogRecord) => void): Promise<void> {
  if (!(await log.listTopics()).includes(topic)) return
  const { partitions } = await log.describeTopic(topic)
  const consumer = log.consumer({ isolation })
  try {
    for (const { partition } of partitions) {
      await consumer.assign([{ topic, partition }])
      await consumer.seekToBeginning()
      for (let batch = await consumer.poll({ maxRecords: POLL_RECORDS }); batch.length > 0; batch = await consumer.poll({ maxRecords: POLL_RECORDS })) {
        for (const record of batch) onRecord(record)
      }
    }
  } finally {
    await consumer.close()
  }
}
