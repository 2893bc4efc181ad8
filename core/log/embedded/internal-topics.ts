import type { Clock } from '../../clock.js'
import type { LogRecord, TopicPartitionOffset } from '../types.js'
import type { EmbeddedLog } from './embedded-log.js'
import type { OffsetStore } from '../engine/group-coordinator.js'
import type { PartitionLog } from './partition-log.js'
import { encodeBatch } from '../engine/record-batch.js'
import type { TransactionRecord, TransactionStateStore } from '../engine/transaction-coordinator.js'

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets'
export const TRANSACTION_STATE_TOPIC = '__transaction_state'
/** Small segments, so compaction keeps the internal topics small. */
const INTERNAL_SEGMENT_BYTES = 8 * 1024 * 1024

interface OffsetCommitValue {
  readonly offset: number
}

/**
 * The log's own bookkeeping, kept in compacted topics of the log itself: committed group
 * offsets in `__consumer_offsets`, transaction state in `__transaction_state`.
 */
export class InternalTopics {
  constructor(
    private readonly log: EmbeddedLog,
    private readonly clock: Clock,
  ) {
    if (log.readOnly) return
    for (const topic of [CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]) {
      if (!this.exists(topic)) log.createTopicSync(topic, { partitions: 1, cleanup: 'compact', segmentBytes: INTERNAL_SEGMENT_BYTES }, true)
    }
  }

  offsetStore(): OffsetStore {
    return {
      persist: (groupId, offsets) => this.append(CONSUMER_OFFSETS_TOPIC, offsets.map((offset) => this.offsetRecord(groupId, offset))),
      load: () => this.readAll(CONSUMER_OFFSETS_TOPIC).flatMap((record) => {
        const [groupId, topic, partition] = JSON.parse(record.key!.toString()) as [string, string, number]
        const value = JSON.parse(record.value!.toString()) as OffsetCommitValue
        return [{ groupId, topic, partition, offset: value.offset }]
      }),
    }
  }

  transactionStore(): TransactionStateStore {
    return {
      persist: (record) => this.append(TRANSACTION_STATE_TOPIC, [{ key: Buffer.from(record.transactionalId), value: Buffer.from(JSON.stringify(record)) }]),
      load: () => {
        const latest = new Map<string, TransactionRecord>()
        for (const record of this.readAll(TRANSACTION_STATE_TOPIC)) {
          const state = JSON.parse(record.value!.toString()) as TransactionRecord
          latest.set(state.transactionalId, state)
        }
        return latest.values()
      },
    }
  }

  private offsetRecord(groupId: string, { topic, partition, offset }: TopicPartitionOffset): { key: Buffer; value: Buffer } {
    const value: OffsetCommitValue = { offset }
    return { key: Buffer.from(JSON.stringify([groupId, topic, partition])), value: Buffer.from(JSON.stringify(value)) }
  }

  private append(topic: string, records: readonly { key: Buffer; value: Buffer }[]): void {
    this.log.checkWritable(`writing ${topic}`)
    const timestamp = this.clock.now()
    this.partitionLog(topic).append(encodeBatch(records.map((record) => ({ ...record, headers: [], timestamp })), { baseOffset: 0 }))
  }

  private readAll(topic: string): LogRecord[] {
    if (!this.exists(topic)) return []
    const partition = this.partitionLog(topic)
    const records: LogRecord[] = []
    let next = partition.startOffset
    while (next < partition.endOffset) {
      const before = records.length
      next = partition.read(next, records.length + 10_000, 'read_uncommitted', records)
      if (records.length === before) break
    }
    return records.filter((record) => record.key !== null && record.value !== null)
  }

  private exists(topic: string): boolean {
    try {
      this.log.partition(topic, 0)
      return true
    } catch {
      return false
    }
  }

  private partitionLog(topic: string): PartitionLog {
    return this.log.partition(topic, 0)
  }
}
