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

/** kafkajs's errors for a broker it cannot reach or no longer knows (a crashed coordinator, say). */
const UNREACHABLE: ReadonlySet<string> = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound'])

/** The longest wait between two attempts. */
const MAX_WAIT_MS = 3_200

/**
 * Runs `action` again while it fails with a transient broker error, waiting 100 ms, 200 ms, … (at
 * most 3.2 s) in between, where kafkajs gives up at once: its admin offset listing retries only an
 * unknown topic, and a transaction's `sendOffsets` retries neither CONCURRENT_TRANSACTIONS (the
 * previous transaction still ending) nor NOT_COORDINATOR_FOR_GROUP (its own name for the error it
 * looks for as NOT_COORDINATOR, which a fresh cluster answers while it loads `__consumer_offsets`).
 * With `unreachable`, a broker that cannot be reached counts as transient too: for an action that
 * finds its coordinator anew on each attempt and may be repeated (kafkajs's `sendOffsets`), so
 * that it rides out a coordinator's crash (the cluster fences a crashed broker after its session
 * timeout, then elects new leaders).
 *
 * @example
 * await retryTransient(() => transaction.sendOffsets({ consumerGroupId, topics }), { attempts: 10, unreachable: true })
 */
export async function retryTransient<T>(action: () => Promise<T>, { attempts = 6, unreachable = false }: { readonly attempts?: number; readonly unreachable?: boolean } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action()
    } catch (error) {
      if (attempt >= attempts || !isTransient(error, unreachable)) throw error
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(100 * 2 ** (attempt - 1), MAX_WAIT_MS)))
    }
  }
}

function isTransient(error: unknown, unreachable: boolean): boolean {
  const type = kafkaErrorType(error)
  if (type !== undefined) return TRANSIENT.has(type)
  return unreachable && error instanceof Error && UNREACHABLE.has(rootError(error).name)
}

/** The innermost `cause` (kafkajs wraps a retried failure in KafkaJSNumberOfRetriesExceeded). */
function rootError(error: Error): Error {
  let current = error
  for (let depth = 0; depth < 10 && current.cause instanceof Error; depth++) current = current.cause
  return current
}
