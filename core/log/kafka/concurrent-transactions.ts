/**
 * A transaction's first AddPartitionsToTxn, sent right after the previous transaction's EndTxn,
 * is often answered CONCURRENT_TRANSACTIONS: the coordinator is still writing the previous
 * transaction's markers. Java's producer retries it after 20 ms (`ADD_PARTITIONS_RETRY_BACKOFF_MS`
 * in its TransactionManager, a stopgap for KAFKA-5482); kafkajs hands it to its retrier, whose first
 * wait is `retry.initialRetryTime` (300 ms by default), and the transaction's sends wait as long.
 * `kafkajs-fixes.ts` makes kafkajs's AddPartitionsToTxn retry that answer quickly first: after
 * 2 ms, doubling up to Java's 20 ms, since the markers take a few milliseconds (5-7 ms on a local
 * broker: a transaction begun right after a commit waited 15-23 ms for its first send with a flat
 * 20 ms, 5-6 ms so; `npm run bench -- kafka-transaction`).
 *
 * @example
 * await retryConcurrentTransactions(() => broker.addPartitionsToTxn(request))
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { hasKafkaErrorType } from './errors.js'

/** The wait before the first quick retry; each next one waits twice as long, up to the maximum. */
export const CONCURRENT_TRANSACTIONS_BACKOFF_MS = 2
/** The longest wait between quick retries, Java's producer's. */
export const CONCURRENT_TRANSACTIONS_MAX_BACKOFF_MS = 20
/** Quick retries before the answer goes to kafkajs's own retrier (about a second of them). */
export const CONCURRENT_TRANSACTIONS_RETRIES = 52

/** Whether `error` is kafkajs's error for a CONCURRENT_TRANSACTIONS answer. */
export function isConcurrentTransactions(error: unknown): boolean {
  return hasKafkaErrorType(error, 'CONCURRENT_TRANSACTIONS')
}

/**
 * Calls `call`, and again while it fails with CONCURRENT_TRANSACTIONS, up to `retries` times,
 * waiting `backoffMs` first and twice as long each time up to `maxBackoffMs`; any other failure,
 * or the last one, is thrown as it came.
 *
 * @example
 * await retryConcurrentTransactions(() => broker.addPartitionsToTxn(request)) // resolves once the coordinator takes it
 */
export async function retryConcurrentTransactions<T>(
  call: () => Promise<T>,
  {
    backoffMs = CONCURRENT_TRANSACTIONS_BACKOFF_MS,
    maxBackoffMs = CONCURRENT_TRANSACTIONS_MAX_BACKOFF_MS,
    retries = CONCURRENT_TRANSACTIONS_RETRIES,
    wait = (ms: number) => sleep(ms),
  }: { readonly backoffMs?: number; readonly maxBackoffMs?: number; readonly retries?: number; readonly wait?: (ms: number) => Promise<unknown> } = {},
): Promise<T> {
  for (let retry = 0, backoff = backoffMs; ; retry++, backoff = Math.min(maxBackoffMs, backoff * 2)) {
    try {
      return await call()
    } catch (error) {
      if (!isConcurrentTransactions(error) || retry >= retries) throw error
      await wait(backoff)
    }
  }
}
