import type { Admin } from 'kafkajs'
import { InvalidTopicNameError, OffsetOutOfRangeError, PolicyViolationError, UnknownTopicOrPartitionError } from '../errors.js'
import { validateTopicName } from '../topic-name.js'
import type { TopicPartitionOffset } from '../types.js'
import { toLogError } from './errors.js'
import type { OffsetLookup } from './offset-lookup.js'
import type { TopicAdmin } from './topic-admin.js'

/**
 * `Log.deleteRecords` on Kafka (Admin.deleteRecords): every request is checked first, as on the
 * other backends, so a bad one changes nothing: a user topic (not `__`), an existing partition,
 * a topic whose cleanup policy includes `delete` (Kafka refuses compacted ones), and an offset in
 * `[0, endOffset]`. Then one DeleteRecords request per topic moves the start offsets; an offset
 * at or below a partition's start changes nothing there.
 *
 * @example
 * await deleteKafkaRecords([{ topic: 'app-by-user-repartition', partition: 0, offset: 1200 }], { admin, topics, offsets })
 */
export async function deleteKafkaRecords(
  requests: readonly TopicPartitionOffset[],
  clients: { readonly admin: Admin; readonly topics: TopicAdmin; readonly offsets: OffsetLookup },
): Promise<void> {
  const byTopic = new Map<string, Map<number, number>>()
  for (const { topic, partition, offset } of requests) {
    validateTopicName(topic)
    if (topic.startsWith('__')) throw new InvalidTopicNameError(topic, "records of the log's internal topics cannot be deleted")
    const partitions = byTopic.get(topic) ?? new Map<number, number>()
    partitions.set(partition, Math.max(offset, partitions.get(partition) ?? Number.NEGATIVE_INFINITY))
    byTopic.set(topic, partitions)
  }
  for (const [topic, partitions] of byTopic) await checkTopic(topic, partitions, clients)
  for (const [topic, partitions] of byTopic) {
    try {
      await clients.admin.deleteTopicRecords({
        topic,
        partitions: [...partitions].map(([partition, offset]) => ({ partition, offset: String(offset) })),
      })
    } catch (error) {
      throw toLogError(error, { operation: 'deleteRecords', topic })
    }
  }
}

async function checkTopic(
  topic: string,
  partitions: ReadonlyMap<number, number>,
  clients: { readonly topics: TopicAdmin; readonly offsets: OffsetLookup },
): Promise<void> {
  const info = await clients.topics.info(topic)
  for (const partition of partitions.keys()) {
    if (!Number.isInteger(partition) || partition < 0 || partition >= info.partitions) throw new UnknownTopicOrPartitionError(topic, partition)
  }
  if (!info.settings.cleanupPolicy.split(',').includes('delete')) {
    throw new PolicyViolationError(topic, `records cannot be deleted: the topic is compacted (cleanup.policy "${info.settings.cleanupPolicy}"), so only compaction removes records`)
  }
  const ranges = await clients.offsets.ranges(topic)
  for (const [partition, offset] of partitions) {
    const range = ranges.get(partition)
    if (range === undefined) throw new UnknownTopicOrPartitionError(topic, partition)
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > range.end) {
      throw new OffsetOutOfRangeError(topic, partition, offset, range.start, range.end)
    }
  }
}
