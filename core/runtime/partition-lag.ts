import type { Consumer, LogRecord } from '../log/types.js'
import type { PartitionLag } from './app-metrics.js'
import type { PartitionTracker } from './partition-tracker.js'

/** An input partition as the runner holds it: its tracker and the records fetched, not yet pushed. */
export interface BufferedInput {
  readonly tracker: PartitionTracker
  readonly buffer: readonly LogRecord[]
  readonly head: number
}

/**
 * Per input partition: the records between its end (as far as its consumer knows) and the
 * first record not yet fully processed (async work on it done), so fetched, buffered and
 * in-flight records all count. A partition whose end the consumer does not know yet, or that is
 * no longer assigned to it, is left out.
 *
 * @example
 * partitionLag(consumer, routes.values()) // [{ topic: 'lines', partition: 0, lag: 120 }]
 */
export function partitionLag(consumer: Consumer, inputs: Iterable<BufferedInput>): PartitionLag[] {
  const lag: PartitionLag[] = []
  // Routes outlive a rebalance for a moment: a partition just taken away has no lag to ask for (the Kafka consumer throws).
  const assigned = new Set(consumer.assignment().map((tp) => `${tp.topic}\u0000${tp.partition}`))
  for (const input of inputs) {
    const { topic, partition } = input.tracker
    if (!assigned.has(`${topic}\u0000${partition}`)) continue
    const fetchLag = consumer.currentLag({ topic, partition })
    if (fetchLag === undefined) continue
    const position = consumer.position({ topic, partition })
    const done = input.tracker.committable() ?? position - (input.buffer.length - input.head)
    lag.push({ topic, partition, lag: Math.max(0, position + fetchLag - done) })
  }
  return lag
}
