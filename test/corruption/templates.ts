/**
 * The logs the corruption cases start from: each built once, closed cleanly, and copied per
 * case. What was written (per partition, by offset) and where each batch lies in each
 * segment file are kept, so a case knows exactly which batch a damaged byte belongs to.
 */
import fs from 'node:fs'
import path from 'node:path'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import { BATCH_HEADER_BYTES, batchTotalBytes, isControl, lastOffsetOf, readBatchHeader } from '../../core/log/engine/record-batch.js'
import type { ProducerRecord, RecordHeader, TopicConfig } from '../../core/log/types.js'
import type { SeededRandom } from '../crash/seeded-random.js'

export const TOPIC = 'damaged'
const BASE_TIMESTAMP = 1_700_000_000_000

/** A record as written: the oracle for what a read may return at `offset`. */
export interface WrittenRecord {
  readonly offset: number
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly RecordHeader[]
}

/** Where one batch lies in its segment file. */
export interface BatchLayout {
  readonly position: number
  readonly totalBytes: number
  readonly baseOffset: number
  readonly lastOffset: number
  readonly control: boolean
}

export interface SegmentLayout {
  readonly baseOffset: number
  readonly file: string
  readonly sizeBytes: number
  readonly batches: readonly BatchLayout[]
}

export interface Template {
  readonly name: string
  readonly dir: string
  readonly partitions: number
  /** Per partition: the records written, by ascending offset (control batches hold none). */
  readonly written: readonly (readonly WrittenRecord[])[]
  /** Per partition: segments by ascending base offset; the last is the active one. */
  readonly segments: readonly (readonly SegmentLayout[])[]
  /** Per partition: the end offset. */
  readonly endOffsets: readonly number[]
}

export interface TemplateSpec {
  readonly name: string
  readonly config: TopicConfig
  readonly records: number
  /** Adds a committed and an aborted transaction, so control batches are in the segments. */
  readonly transactions: boolean
}

export function partitionDir(dataDir: string, partition: number): string {
  return path.join(dataDir, `${TOPIC}-${partition}`)
}

function randomRecord(random: SeededRandom, partition: number, index: number): ProducerRecord {
  const headers: RecordHeader[] = []
  for (let h = random.int(0, 2); h > 0; h--) headers.push({ key: `h${h}`, value: random.bytes(random.int(0, 12)) })
  return {
    topic: TOPIC,
    partition,
    key: random.chance(0.2) ? null : random.bytes(random.int(0, 16)),
    value: random.chance(0.05) ? null : random.bytes(random.chance(0.1) ? random.int(1000, 3000) : random.int(0, 300)),
    headers,
    timestamp: BASE_TIMESTAMP + index * 10,
  }
}

/** Builds a template log in `dir`: batches of 1-20 records spread over the partitions, closed cleanly. */
export async function buildTemplate(dir: string, spec: TemplateSpec, random: SeededRandom): Promise<Template> {
  const partitions = spec.config.partitions
  const written: WrittenRecord[][] = Array.from({ length: partitions }, () => [])
  const log = await openEmbeddedLog({ dir, durability: 'none', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
  try {
    await log.createTopic(TOPIC, spec.config)
    const producer = log.producer()
    const send = async (records: ProducerRecord[], via: { send(records: readonly ProducerRecord[]): Promise<{ offset: number }[]> }) => {
      const metadata = await via.send(records)
      records.forEach((record, i) => {
        written[record.partition!]!.push({
          offset: metadata[i]!.offset,
          timestamp: record.timestamp!,
          key: record.key ?? null,
          value: record.value,
          headers: record.headers ?? [],
        })
      })
    }
    const transactionAt = new Set(spec.transactions ? [Math.floor(spec.records / 3), Math.floor((2 * spec.records) / 3)] : [])
    let index = 0
    while (index < spec.records) {
      const partition = random.int(0, partitions - 1)
      const count = Math.min(random.int(1, 20), spec.records - index)
      const records = Array.from({ length: count }, (_, i) => randomRecord(random, partition, index + i))
      const inTransaction = [...transactionAt].some((at) => at >= index && at < index + count)
      if (inTransaction) {
        const transaction = await log.producer({ transactionalId: `txn-${index}` }).beginTransaction()
        await send(records, transaction)
        if (index < spec.records / 2) await transaction.commit()
        else await transaction.abort()
      } else await send(records, producer)
      index += count
    }
    const description = await log.describeTopic(TOPIC)
    await log.close()
    for (const records of written) records.sort((a, b) => a.offset - b.offset)
    return {
      name: spec.name,
      dir,
      partitions,
      written,
      segments: Array.from({ length: partitions }, (_, partition) => segmentLayouts(partitionDir(dir, partition))),
      endOffsets: description.partitions.map((p) => p.endOffset),
    }
  } catch (error) {
    await log.close()
    throw error
  }
}

/** The batches of every segment file in a partition directory, read straight from the bytes. */
export function segmentLayouts(dir: string): SegmentLayout[] {
  const files = fs.readdirSync(dir).filter((name) => /^\d{20}\.log$/.test(name)).sort()
  return files.map((name) => {
    const file = path.join(dir, name)
    const data = fs.readFileSync(file)
    const batches: BatchLayout[] = []
    for (let position = 0; position + BATCH_HEADER_BYTES <= data.length; ) {
      const header = readBatchHeader(data, position)
      const totalBytes = batchTotalBytes(header)
      batches.push({ position, totalBytes, baseOffset: header.baseOffset, lastOffset: lastOffsetOf(header), control: isControl(header) })
      position += totalBytes
    }
    return { baseOffset: Number(name.slice(0, 20)), file: name, sizeBytes: data.length, batches }
  })
}
