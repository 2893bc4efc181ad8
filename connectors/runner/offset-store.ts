import { TopicExistsError, UnknownTopicOrPartitionError } from '../../core/log/errors.js'
import type { Log, ProducerRecord } from '../../core/log/types.js'
import type { SourceOffset, SourcePartition } from '../api/types.js'

/** The compacted topic where every source connector's offsets live, as Kafka Connect's `connect-offsets`. */
export const OFFSETS_TOPIC = '_tributary-connect-offsets'

/** One stored offset of a source partition. */
export interface StoredOffset {
  readonly partition: SourcePartition
  readonly offset: SourceOffset
}

/** A source partition as a stable text: its fields sorted, so `{a,b}` and `{b,a}` are one partition. */
export function partitionId(partition: SourcePartition): string {
  return JSON.stringify(Object.keys(partition).sort().map((field) => [field, partition[field]]))
}

/**
 * The offsets of one source connector, kept in the log's offsets topic under keys
 * `[connector, partition]`: loaded at start (the last value per key wins), written after the
 * records they follow are durable, or with them in one transaction.
 *
 * @example
 * const store = await OffsetStore.load(log, 'orders-file')
 * store.get({ file: '/data/orders.jsonl' }) // { position: 1823 } or undefined
 */
export class OffsetStore {
  private readonly committed = new Map<string, StoredOffset>()
  private readonly pending = new Map<string, StoredOffset>()

  private constructor(readonly connector: string) {}

  /** Creates the offsets topic if need be and reads the connector's offsets from it, to its end. */
  static async load(log: Log, connector: string): Promise<OffsetStore> {
    await ensureOffsetsTopic(log)
    const store = new OffsetStore(connector)
    const end = (await log.describeTopic(OFFSETS_TOPIC)).partitions[0]?.endOffset ?? 0
    if (end === 0) return store
    const consumer = log.consumer({ isolation: 'read_committed', autoOffsetReset: 'earliest' })
    try {
      const partition = { topic: OFFSETS_TOPIC, partition: 0 }
      await consumer.assign([partition])
      await consumer.seekToBeginning([partition])
      // Under read_committed the position may stop short of `end` at an open transaction's records: stop when a poll brings nothing more.
      while (consumer.position(partition) < end) {
        const records = await consumer.poll({ timeoutMs: 200 })
        if (records.length === 0 && (consumer.currentLag(partition) ?? 0) === 0) break
        for (const record of records) store.absorb(record.key, record.value)
      }
    } finally {
      await consumer.close()
    }
    return store
  }

  /** The last stored offset of a source partition. */
  get(partition: SourcePartition): SourceOffset | undefined {
    return this.committed.get(partitionId(partition))?.offset
  }

  all(): StoredOffset[] {
    return [...this.committed.values()]
  }

  /** Notes where the source stands after a batch; written by the next `drain`. */
  advance(offsets: readonly StoredOffset[]): void {
    for (const offset of offsets) this.pending.set(partitionId(offset.partition), offset)
  }

  get hasPending(): boolean {
    return this.pending.size > 0
  }

  /** The records that store the pending offsets; `committed()` once they are durable. */
  drain(): { readonly records: ProducerRecord[]; committed(): void } {
    const taken = [...this.pending.entries()]
    this.pending.clear()
    const records = taken.map(([, stored]) => ({
      topic: OFFSETS_TOPIC,
      partition: 0,
      key: Buffer.from(JSON.stringify([this.connector, canonical(stored.partition)])),
      value: Buffer.from(JSON.stringify(stored.offset)),
    }))
    return {
      records,
      committed: () => {
        for (const [id, stored] of taken) this.committed.set(id, stored)
      },
    }
  }

  /** Puts back offsets whose write failed, unless newer ones came since. */
  restore(records: readonly ProducerRecord[]): void {
    for (const record of records) {
      const stored = decode(record.key ?? null, record.value)
      if (stored === undefined || stored.connector !== this.connector) continue
      const id = partitionId(stored.partition)
      if (!this.pending.has(id)) this.pending.set(id, { partition: stored.partition, offset: stored.offset })
    }
  }

  private absorb(key: Buffer | null, value: Buffer | null): void {
    const stored = decode(key, value)
    if (stored === undefined || stored.connector !== this.connector) return
    this.committed.set(partitionId(stored.partition), { partition: stored.partition, offset: stored.offset })
  }
}

/** The partition with its fields in sorted order, so the same partition always gives the same key bytes (compaction keys on them). */
function canonical(partition: SourcePartition): SourcePartition {
  const sorted: Record<string, string | number> = {}
  for (const field of Object.keys(partition).sort()) sorted[field] = partition[field]!
  return sorted
}

function decode(key: Buffer | null, value: Buffer | null): { connector: string; partition: SourcePartition; offset: SourceOffset } | undefined {
  if (key === null || value === null) return undefined
  try {
    const parsed: unknown = JSON.parse(key.toString('utf8'))
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'object' || parsed[1] === null) return undefined
    const offset: unknown = JSON.parse(value.toString('utf8'))
    if (typeof offset !== 'object' || offset === null || Array.isArray(offset)) return undefined
    return { connector: parsed[0], partition: parsed[1] as SourcePartition, offset: offset as SourceOffset }
  } catch {
    return undefined // not ours: another tool's record in the topic; skip it
  }
}

async function ensureOffsetsTopic(log: Log): Promise<void> {
  try {
    await log.describeTopic(OFFSETS_TOPIC)
  } catch (error) {
    if (!(error instanceof UnknownTopicOrPartitionError)) throw error
    try {
      await log.createTopic(OFFSETS_TOPIC, { partitions: 1, cleanup: 'compact' })
    } catch (created) {
      if (!(created instanceof TopicExistsError)) throw created
    }
  }
}

/**
 * Creates a topic when it is missing (one partition unless told), so a connector can start on a
 * fresh log; an existing topic is left as it is.
 *
 * @example
 * await ensureTopic(log, 'orders-dlq')
 */
export async function ensureTopic(log: Log, topic: string, partitions = 1): Promise<void> {
  try {
    await log.describeTopic(topic)
  } catch (error) {
    if (!(error instanceof UnknownTopicOrPartitionError)) throw error
    try {
      await log.createTopic(topic, { partitions })
    } catch (created) {
      if (!(created instanceof TopicExistsError)) throw created
    }
  }
}
