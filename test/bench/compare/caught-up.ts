/**
 * The stop condition both systems share: a consumer group is caught up once its committed offset
 * of every partition of the given topics has reached the partition's end. Under exactly_once a
 * partition written in transactions ends with a commit marker, which no consumer reads: there the
 * committed offset may stay short of the end by markers only, so a committed offset short of the
 * end counts when a read_committed read from it reaches the end with no record.
 *
 * @example
 * while (!(await groupCaughtUp(log, 'q5-app', ['nexmark-bids', 'q5-app-q5-bids-by-auction-repartition']))) await sleep(200)
 */
import type { Log, TopicPartition } from '../../../core/log/types.js'

/** How long a look past a committed offset waits for a fetch before it calls the rest markers only. */
const markerReadTimeoutMs = 500

/**
 * Whether group `groupId` has committed the end offsets of every partition of `topics`.
 *
 * @example
 * await groupCaughtUp(log, 'tributary-kafka-q1-alos', ['nexmark-bids']) // true once q1 has read and committed every bid
 */
export async function groupCaughtUp(log: Log, groupId: string, topics: readonly string[]): Promise<boolean> {
  // Committed offsets first, end offsets after: an end read later that a committed offset still
  // reaches held nothing more at the commit (records written meanwhile would move the end).
  const partitions: TopicPartition[] = []
  for (const topic of topics) for (const { partition } of (await log.describeTopic(topic)).partitions) partitions.push({ topic, partition })
  const group = log.consumer({ groupId })
  let committed: (number | undefined)[]
  try {
    committed = await group.committed(partitions)
  } finally {
    await group.close()
  }
  const ends: { partition: TopicPartition; endOffset: number }[] = []
  for (const topic of topics) {
    for (const { partition, endOffset } of (await log.describeTopic(topic)).partitions) ends.push({ partition: { topic, partition }, endOffset })
  }
  for (const [index, { partition, endOffset }] of ends.entries()) {
    const offset = committed[index] ?? 0
    if (offset >= endOffset) continue
    // Markers take one offset each; a gap wider than a few cannot be markers alone.
    if (endOffset - offset > 2 || !(await onlyMarkersFrom(log, partition, offset, endOffset))) return false
  }
  return true
}

/** Whether `partition` holds no committed record in [from, end). */
async function onlyMarkersFrom(log: Log, partition: TopicPartition, from: number, endOffset: number): Promise<boolean> {
  const reader = log.consumer({ isolation: 'read_committed' })
  try {
    await reader.assign([partition])
    reader.seek(partition, from)
    const deadline = Date.now() + markerReadTimeoutMs
    while (reader.position(partition) < endOffset && Date.now() < deadline) {
      if ((await reader.poll({ timeoutMs: 100 })).length > 0) return false
    }
    return reader.position(partition) >= endOffset
  } finally {
    await reader.close()
  }
}
