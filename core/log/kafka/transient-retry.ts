import { kafkaErrorType } from './errors.js'

/**
 * Broker errors that pass on their own within moments: a coordinator moving or still loading, a
 * transaction still ending (its markers being written), a partition's leadership moving (a new
 * topic's leader not yet serving). kafkajs's names and Kafka's.
 */
const TRANSIENT: ReadonlySet<string> = new Set([
  'NOT_COORDINATOR',
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
  'CONCURRENT_TRANSACTIONS',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
])

/**
 * Runs `action` again while it fails with a transient broker error, waiting 100 ms, 200 ms, … in
 * between, where kafkajs gives up at once: its admin offset listing retries only an unknown
 * topic, and a transaction's `sendOffsets` retries neither CONCURRENT_TRANSACTIONS (the
 * previous transaction still ending) nor NOT_COORDINATOR_FOR_GROUP (its own name for the error it
 * looks for as NOT_COORDINATOR, which a fresh cluster answers while it loads `__consumer_offsets`).
 *
 * @example
 * await retryTransient(() => transaction.sendOffsets({ consumerGroupId, topics }))
 */
export async function retryTransient<T>(action: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action()
    } catch (error) {
      const type = kafkaErrorType(error)
      if (attempt >= attempts || type === undefined || !TRANSIENT.has(type)) throw error
      await new Promise<void>((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1)))
    }
  }
}
