/**
 * The checker of the kill -9 test: opens the data directory in this process, reads every
 * partition of the crash topic from its first offset to its end, and compares what it finds
 * with what the children acknowledged. Problems are returned by class, so one run reports all.
 */
import { openEmbeddedLog, type RecoveryEvent } from '../../core/log/embedded/index.js'
import { CRASH_TOPIC, MAX_RECORDS_PER_BATCH, decodeValue, type Ack } from './workload.js'

/** One record as the checker keeps it (the value is checked byte for byte, then dropped). */
interface Found {
  readonly partition: number
  readonly offset: number
  readonly runId: number
  readonly sequence: number
}

export interface LogState {
  /** Records of each partition, in offset order. */
  readonly partitions: readonly (readonly Found[])[]
  /** One past the largest sequence stored (0 when empty). */
  readonly nextSequence: number
  readonly recordCount: number
  readonly recoveryEvents: readonly RecoveryEvent[]
  readonly problems: readonly string[]
}

const POLL_RECORDS = 5000

/**
 * Opens the log (read-write: recovery truncates; or read-only: recovery only in memory), reads
 * it all and closes it again.
 */
export async function readLogState(dir: string, readOnly: boolean, partitionCount: number): Promise<LogState> {
  const problems: string[] = []
  const warnings: string[] = []
  const log = await openEmbeddedLog({ dir, readOnly, durability: 'fsync', maintenanceIntervalMs: 0, logger: { warn: (message) => warnings.push(message) } })
  const partitions: Found[][] = []
  let recoveryEvents: RecoveryEvent[] = []
  try {
    recoveryEvents = log.recoveryEvents().filter((event) => event.topic === CRASH_TOPIC)
    if (!(await log.listTopics()).includes(CRASH_TOPIC)) return { partitions: [], nextSequence: 0, recordCount: 0, recoveryEvents, problems }
    const description = await log.describeTopic(CRASH_TOPIC)
    if (description.partitions.length !== partitionCount) problems.push(`the topic has ${description.partitions.length} partitions, expected ${partitionCount}`)
    const consumer = log.consumer({ isolation: 'read_uncommitted' })
    for (const { partition, startOffset, endOffset } of description.partitions) {
      const found: Found[] = []
      partitions.push(found)
      if (startOffset !== 0) problems.push(`partition ${partition} starts at offset ${startOffset}, expected 0`)
      await consumer.assign([{ topic: CRASH_TOPIC, partition }])
      await consumer.seekToBeginning()
      try {
        while (consumer.position({ topic: CRASH_TOPIC, partition }) < endOffset) {
          const records = await consumer.poll({ maxRecords: POLL_RECORDS })
          if (records.length === 0) {
            problems.push(`partition ${partition}: reading stopped at offset ${consumer.position({ topic: CRASH_TOPIC, partition })} before the end offset ${endOffset}`)
            break
          }
          for (const record of records) {
            const decoded = decodeValue(record.value)
            const previous = found[found.length - 1]
            const expectedOffset = previous === undefined ? startOffset : previous.offset + 1
            if (record.offset !== expectedOffset) problems.push(`partition ${partition}: offset ${record.offset} follows ${expectedOffset - 1}`)
            if (decoded === undefined) {
              problems.push(`partition ${partition}: offset ${record.offset} holds a value that was never written (${record.value?.length ?? 'null'} bytes)`)
              continue
            }
            if (previous !== undefined && decoded.sequence <= previous.sequence) {
              problems.push(`partition ${partition}: sequence ${decoded.sequence} at offset ${record.offset} is not after ${previous.sequence}`)
            }
            found.push({ partition, offset: record.offset, ...decoded })
          }
        }
      } catch (error) {
        problems.push(`partition ${partition}: reading threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
      }
    }
    await consumer.close()
  } finally {
    await log.close()
  }
  const all = partitions.flat()
  const sequences = all.map((found) => found.sequence).sort((a, b) => a - b)
  for (let i = 0; i < sequences.length; i++) {
    if (sequences[i] !== i) {
      problems.push(`sequences are not 0..${sequences.length - 1}: position ${i} holds ${sequences[i]} (${sequences[i]! < i ? 'a duplicate' : 'a gap'})`)
      break
    }
  }
  return { partitions, nextSequence: sequences.length, recordCount: all.length, recoveryEvents, problems }
}

/**
 * Every acknowledged send is there (its last record at its offset, from its run); a run's
 * records beyond its last acknowledgement are at most its one send in flight.
 */
export function checkAcknowledged(state: LogState, acks: readonly Ack[], runsSoFar: number): string[] {
  const problems: string[] = []
  const byOffset = state.partitions.map((records) => new Map(records.map((record) => [record.offset, record])))
  for (const ack of acks) {
    const found = byOffset[ack.partition]?.get(ack.lastOffset)
    if (found === undefined) problems.push(`lost: run ${ack.runId} acknowledged sequence ${ack.lastSequence} at ${ack.partition}/${ack.lastOffset}; that offset is gone`)
    else if (found.sequence !== ack.lastSequence || found.runId !== ack.runId) {
      problems.push(`wrong: ${ack.partition}/${ack.lastOffset} holds run ${found.runId} sequence ${found.sequence}, acknowledged as run ${ack.runId} sequence ${ack.lastSequence}`)
    }
  }
  const lastAcked = new Map<number, number>()
  for (const ack of acks) lastAcked.set(ack.runId, Math.max(lastAcked.get(ack.runId) ?? -1, ack.lastSequence))
  const unacknowledged = new Map<number, Found[]>()
  for (const record of state.partitions.flat()) {
    if (record.runId >= runsSoFar) problems.push(`${record.partition}/${record.offset} comes from run ${record.runId}, which has not run yet`)
    if (record.sequence <= (lastAcked.get(record.runId) ?? -1)) continue
    const list = unacknowledged.get(record.runId) ?? []
    list.push(record)
    unacknowledged.set(record.runId, list)
  }
  for (const [runId, records] of unacknowledged) {
    if (records.length > MAX_RECORDS_PER_BATCH || new Set(records.map((record) => record.partition)).size > 1) {
      problems.push(`run ${runId} left ${records.length} unacknowledged records: more than its one send in flight`)
    }
  }
  return problems
}
