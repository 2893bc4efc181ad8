import type { Consumer, Log, LogRecord, TopicPartition, TopicPartitionOffset } from '../log/types.js'

/** How long one poll waits; the loop simply polls again. */
const POLL_MS = 500

/** Where the end of a partition was when the read began. */
export interface PartitionEnd extends TopicPartition {
  readonly endOffset: number
}

/**
 * The end offsets of every partition of a topic, now: what a bounded read goes up to.
 *
 * @example
 * const ends = await topicEnds(log, 'orders-dlq') // [{ topic: 'orders-dlq', partition: 0, endOffset: 12 }, …]
 */
export async function topicEnds(log: Log, topic: string): Promise<PartitionEnd[]> {
  const { partitions } = await log.describeTopic(topic)
  return partitions.map(({ partition, endOffset }) => ({ topic, partition, endOffset }))
}

/**
 * Polls an assigned consumer and hands each batch to `onBatch` until every partition is read up
 * to `ends` (records written later are left for the next read), until `onBatch` returns false,
 * or until `signal` aborts. A partition whose last offsets hold no readable record (the markers
 * of transactions) counts as read once the consumer has nothing left there.
 *
 * @example
 * await readToEnd(consumer, ends, async (records) => { print(records); return true }, io.signal)
 */
export async function readToEnd(
  consumer: Consumer,
  ends: readonly PartitionEnd[],
  onBatch: (records: readonly LogRecord[]) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<void> {
  const stop = (): void => consumer.wakeup()
  signal?.addEventListener('abort', stop)
  try {
    for (;;) {
      const unread = ends.filter((end) => consumer.position(end) < end.endOffset)
      if (unread.length === 0 || signal?.aborted === true) return
      const records = (await consumer.poll({ timeoutMs: POLL_MS })).filter((record) => record.offset < (endOf(ends, record) ?? Number.MAX_SAFE_INTEGER))
      if (records.length > 0) {
        if (!(await onBatch(records))) return
      } else if (unread.every((end) => consumer.currentLag(end) === 0)) {
        return
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop)
  }
}

function endOf(ends: readonly PartitionEnd[], record: LogRecord): number | undefined {
  return ends.find((end) => end.partition === record.partition && end.topic === record.topic)?.endOffset
}

/**
 * Per partition, the offset after the last of `records`: what a group has consumed once they are handled.
 *
 * @example
 * offsetsAfter([{ topic: 'a', partition: 0, offset: 4, … }]) // [{ topic: 'a', partition: 0, offset: 5 }]
 */
export function offsetsAfter(records: readonly LogRecord[]): TopicPartitionOffset[] {
  const next = new Map<string, TopicPartitionOffset>()
  for (const { topic, partition, offset } of records) {
    const id = `${topic}\u0000${partition}`
    const known = next.get(id)
    if (known === undefined || known.offset <= offset) next.set(id, { topic, partition, offset: offset + 1 })
  }
  return [...next.values()]
}
