import { InvalidTopicNameError, OffsetOutOfRangeError, PolicyViolationError } from '../errors.js'
import { validateTopicName } from '../topic-name.js'
import type { TopicPartitionOffset } from '../types.js'
import type { PartitionStore } from './partition-store.js'

/** A partition store whose log start offset can be moved up (by deleteRecords). */
export interface TrimmablePartitionStore extends PartitionStore {
  /** Moves the start offset up to `offset`, already checked to lie in `[0, endOffset]`; a lower one changes nothing. */
  advanceStartOffset(offset: number): void
}

/**
 * Kafka's `Admin.deleteRecords` over in-process partition stores. Checks every request first, so
 * a bad one changes nothing: the topic is a user topic (the log's own `__` topics are refused with
 * InvalidTopicNameError) whose cleanup is `delete` (a compacted topic is refused with
 * PolicyViolationError, as Kafka refuses it), the partition exists, and the offset lies in
 * `[0, endOffset]` (else OffsetOutOfRangeError). Then moves each partition's start offset up to
 * its offset; an offset at or below the current start changes nothing.
 *
 * @example
 * deleteRecordsOf([{ topic: 'app-by-user-repartition', partition: 0, offset: 1200 }], (topic, partition) => log.partition(topic, partition))
 */
export function deleteRecordsOf(
  offsets: readonly TopicPartitionOffset[],
  partitionOf: (topic: string, partition: number) => TrimmablePartitionStore,
): void {
  const checked = offsets.map(({ topic, partition, offset }) => {
    validateTopicName(topic)
    if (topic.startsWith('__')) throw new InvalidTopicNameError(topic, "records of the log's internal topics cannot be deleted")
    const store = partitionOf(topic, partition)
    if (store.config.cleanup !== 'delete') {
      throw new PolicyViolationError(topic, `records of partition ${partition} cannot be deleted: the topic is compacted (cleanup "${store.config.cleanup}"), so only compaction removes records`)
    }
    store.refresh()
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > store.endOffset) {
      throw new OffsetOutOfRangeError(topic, partition, offset, store.startOffset, store.endOffset)
    }
    return { store, offset }
  })
  for (const { store, offset } of checked) store.advanceStartOffset(offset)
}
