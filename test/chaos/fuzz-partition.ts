/**
 * The partition the loader properties of the fuzzing suite damage: one template log (built with
 * the corruption suite's `buildTemplate`, so its oracle of written records is reused), copied
 * per case, its files mutated, opened and read back with the corruption suite's readers.
 */
import fs from 'node:fs'
import path from 'node:path'
import { openEmbeddedLog, type EmbeddedLog } from '../../core/log/embedded/index.js'
import { CorruptRecordError } from '../../core/log/errors.js'
import type { Log, LogRecord } from '../../core/log/types.js'
import { seededRandom } from '../crash/seeded-random.js'
import { describeError, readPartition, recordDifference } from '../corruption/read-back.js'
import { TOPIC, buildTemplate, partitionDir, type Template, type WrittenRecord } from '../corruption/templates.js'

/**
 * A template of one partition in small segments, with a committed and an aborted transaction
 * (so control batches and producer-state snapshots are in the files).
 *
 * @example
 * const template = await buildFuzzTemplate(path.join(scratch, 'template'), 7)
 * template.segments[0]!.length // several segments
 */
export async function buildFuzzTemplate(dir: string, seed: number): Promise<Template> {
  return buildTemplate(dir, { name: 'fuzz', config: { partitions: 1, segmentBytes: 4096 }, records: 80, transactions: true }, seededRandom(seed))
}

/**
 * The files of the template's partition whose names end with `extension`, sorted.
 *
 * @example
 * partitionFiles(template, '.log') // ['00000000000000000000.log', '00000000000000000031.log', …]
 */
export function partitionFiles(template: Template, extension: string): string[] {
  return fs
    .readdirSync(partitionDir(template.dir, 0))
    .filter((name) => name.endsWith(extension))
    .sort()
}

/**
 * Copies the template to `caseDir`, lets `damage` change the copy's partition directory, and
 * opens it. Never throws for the opening: its error is returned, so a property can reject it.
 *
 * @example
 * const opened = await openDamagedCopy(template, caseDir, (dir) => fs.truncateSync(path.join(dir, name), 10), false)
 */
export async function openDamagedCopy(
  template: Template,
  caseDir: string,
  damage: (partitionDirectory: string) => void,
  readOnly: boolean,
): Promise<{ log: EmbeddedLog & Log } | { openError: unknown }> {
  fs.rmSync(caseDir, { recursive: true, force: true })
  fs.cpSync(template.dir, caseDir, { recursive: true })
  damage(partitionDir(caseDir, 0))
  try {
    const log = await openEmbeddedLog({ dir: caseDir, readOnly, durability: 'none', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
    return { log }
  } catch (openError) {
    return { openError }
  }
}

/**
 * Replaces the file `name` of a partition directory with what `bytes` makes of its contents.
 *
 * @example
 * replaceFile(dir, '00000000000000000000.index', (old) => old.subarray(0, 5))
 */
export function replaceFile(partitionDirectory: string, name: string, bytes: (old: Buffer) => Buffer): void {
  const file = path.join(partitionDirectory, name)
  fs.writeFileSync(file, bytes(fs.readFileSync(file)))
}

/**
 * Reads the partition from its start, as a consumer does, and says what is wrong: an error
 * other than the partition's CorruptRecordError (or any error when `mayThrow` is false), a
 * record not written at its offset, an offset read twice or out of order, and (when
 * `complete`) a written record not returned.
 *
 * @example
 * const { problems } = await readBack(log, template.written[0]!, { mayThrow: true, complete: false })
 * expect(problems).toEqual([])
 */
export async function readBack(
  log: Log,
  written: readonly WrittenRecord[],
  rules: { readonly mayThrow: boolean; readonly complete: boolean },
): Promise<{ readonly problems: string[]; readonly recordsRead: number; readonly threw: boolean }> {
  let read: Awaited<ReturnType<typeof readPartition>>
  try {
    read = await readPartition(log, 0, seededRandom(1))
  } catch (error) {
    return { problems: [`reading threw outside a poll: ${describeError(error)}`], recordsRead: 0, threw: true }
  }
  const problems: string[] = []
  for (const error of read.errors) {
    const typed = error instanceof CorruptRecordError && error.topic === TOPIC && error.partition === 0
    if (!typed || !rules.mayThrow) problems.push(`a poll threw ${describeError(error)}`)
  }
  const byOffset = new Map(written.map((record) => [record.offset, record]))
  let previous = -1
  for (const record of read.records) {
    problems.push(...recordProblems(record, byOffset, previous))
    previous = Math.max(previous, record.offset)
  }
  if (rules.complete && read.records.length !== written.length) problems.push(`${read.records.length} records read, ${written.length} written`)
  return { problems: problems.slice(0, 3), recordsRead: read.records.length, threw: read.errors.length > 0 }
}

function recordProblems(record: LogRecord, byOffset: ReadonlyMap<number, WrittenRecord>, previous: number): string[] {
  const written = byOffset.get(record.offset)
  if (written === undefined) return [`offset ${record.offset} was served; nothing was written there`]
  const difference = recordDifference(record, written)
  if (difference !== undefined) return [`served ${difference}`]
  return record.offset <= previous ? [`offset ${record.offset} served after offset ${previous}`] : []
}

/**
 * The offsets a read_committed consumer reads from the partition's start until it stops
 * (at the end, or at the last stable offset), or the error it threw.
 *
 * @example
 * expect(await committedOffsets(damaged)).toEqual(await committedOffsets(intact))
 */
export async function committedOffsets(log: Log): Promise<number[] | { readonly error: string }> {
  const topicPartition = { topic: TOPIC, partition: 0 }
  const consumer = log.consumer({ isolation: 'read_committed' })
  const offsets: number[] = []
  try {
    await consumer.assign([topicPartition])
    await consumer.seekToBeginning()
    for (;;) {
      const batch = await consumer.poll({ maxRecords: 64 })
      if (batch.length === 0) return offsets
      offsets.push(...batch.map((record) => record.offset))
    }
  } catch (error) {
    return { error: describeError(error) }
  } finally {
    await consumer.close()
  }
}
