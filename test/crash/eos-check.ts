/**
 * The checker of the exactly-once kill -9 test: opens the data directory in this process, reads
 * the output topic whole under read_committed and under read_uncommitted, reads the app group's
 * committed input offsets, and reports problems by class (lost, duplicated, out of order, wrong
 * value, outputs and offsets out of step), so one run reports all of them.
 */
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { IsolationLevel, Log } from '../../core/log/types.js'
import { checkRecords, type CheckReport } from '../chaos/checker.js'
import { EOS_APP_ID, EOS_INPUT, EOS_OUTPUT, EOS_PARTITIONS, parseOutput, type OutputRecord } from './eos-workload.js'

const POLL_RECORDS = 5_000

export interface EosState {
  /** The group's committed offset of each input partition (0 where none): how many records of producer p it has done. */
  readonly committedOffsets: readonly number[]
  /** Outputs under read_committed, per producer, in the order read. */
  readonly committed: readonly (readonly number[])[]
  /** Outputs under read_uncommitted, per producer, in the order read. */
  readonly uncommitted: readonly (readonly number[])[]
  /** The shared checker's counts for the committed outputs (see checkEos). */
  readonly report: CheckReport
  readonly problems: readonly string[]
}

export interface EosTotals {
  readonly committedRecords: number
  readonly uncommittedRecords: number
  /** Outputs that read_uncommitted sees more than once: written by a transaction that was aborted. */
  readonly uncommittedDuplicates: number
}

/**
 * Reads the log's state. `expectDone`: the group must have committed `recordsPerProducer` for every
 * producer. With `readOnly` the log is opened beside no writer and recovers nothing, so a
 * transaction the kill interrupted is still open (or half completed): only the outputs are checked
 * then, not their step with the offsets.
 */
export async function readEosState(dir: string, options: { readOnly: boolean; recordsPerProducer: number; expectDone: boolean }): Promise<EosState> {
  const problems: string[] = []
  const log = await openEmbeddedLog({ dir, readOnly: options.readOnly, durability: 'none', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
  try {
    const committedOffsets = await groupOffsets(log)
    const committed = await readOutputs(log, 'read_committed', problems)
    const uncommitted = await readOutputs(log, 'read_uncommitted', problems)
    const report = checkEos(committed, committedOffsets, options.readOnly)
    problems.push(...report.problems)
    for (let producer = 0; producer < EOS_PARTITIONS; producer++) {
      const done = committedOffsets[producer]!
      if (options.expectDone && done !== options.recordsPerProducer) {
        problems.push(`offsets: the group committed ${done} of producer ${producer}'s ${options.recordsPerProducer} input records`)
      }
    }
    return { committedOffsets, committed, uncommitted, report, problems }
  } finally {
    await log.close()
  }
}

/**
 * The committed outputs against the committed input offsets, by the shared checker: the output
 * of every committed input exactly once and in order, and none of an input past the committed
 * offset (that would be an aborted transaction's). Read-only (nothing recovered, a transaction the
 * kill interrupted may still be open) the step with the offsets is not checked: every output up to
 * the highest must be there once, in order.
 */
function checkEos(committed: readonly (readonly number[])[], committedOffsets: readonly number[], readOnly: boolean): CheckReport {
  if (!readOnly) return checkRecords({ expected: committedOffsets, exactlyOnce: true }, committed)
  const highest = committed.map((sequences) => (sequences.length === 0 ? 0 : Math.max(...sequences) + 1))
  return checkRecords({ expected: highest, exactlyOnce: true }, committed)
}

export function eosTotals(state: EosState): EosTotals {
  const count = (lists: readonly (readonly number[])[]): number => lists.reduce((sum, list) => sum + list.length, 0)
  let uncommittedDuplicates = 0
  for (const list of state.uncommitted) uncommittedDuplicates += list.length - new Set(list).size
  return { committedRecords: count(state.committed), uncommittedRecords: count(state.uncommitted), uncommittedDuplicates }
}

async function groupOffsets(log: Log): Promise<number[]> {
  const consumer = log.consumer({ groupId: EOS_APP_ID })
  const partitions = Array.from({ length: EOS_PARTITIONS }, (_, partition) => ({ topic: EOS_INPUT, partition }))
  const committed = await consumer.committed(partitions)
  await consumer.close()
  return committed.map((offset) => offset ?? 0)
}

/** Every output, as its producer's sequence, per producer in the order read (one producer's outputs share a key, so a partition). */
async function readOutputs(log: Log, isolation: IsolationLevel, problems: string[]): Promise<number[][]> {
  const byProducer: number[][] = Array.from({ length: EOS_PARTITIONS }, () => [])
  if (!(await log.listTopics()).includes(EOS_OUTPUT)) return byProducer
  const { partitions } = await log.describeTopic(EOS_OUTPUT)
  const consumer = log.consumer({ isolation })
  for (const { partition } of partitions) {
    await consumer.assign([{ topic: EOS_OUTPUT, partition }])
    await consumer.seekToBeginning()
    try {
      for (let batch = await consumer.poll({ maxRecords: POLL_RECORDS }); batch.length > 0; batch = await consumer.poll({ maxRecords: POLL_RECORDS })) {
        for (const record of batch) {
          const output: OutputRecord | undefined = parseOutput(record.key, record.value)
          if (output === undefined || output.producer >= EOS_PARTITIONS) {
            problems.push(`wrong: ${isolation} read ${EOS_OUTPUT}-${partition}@${record.offset}, which the app never wrote: ${record.value?.toString('utf8').slice(0, 60)}`)
            continue
          }
          byProducer[output.producer]!.push(output.sequence)
        }
      }
    } catch (error) {
      problems.push(`${isolation} read of ${EOS_OUTPUT}-${partition} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
    }
  }
  await consumer.close()
  return byProducer
}
