import { OffsetOutOfRangeError } from '../errors.js'
import type { LogLogger } from '../engine/logger.js'
import type { ConsumerOptions, TopicPartition } from '../types.js'
import type { OffsetRange } from './offset-lookup.js'

/** A consumer's `autoOffsetReset`, with whom to name in its warnings. */
export interface ResetPolicy {
  readonly policy: NonNullable<ConsumerOptions['autoOffsetReset']>
  /** `the consumer` or `group <id>`. */
  readonly owner: string
  readonly logger: LogLogger
}

/**
 * Where the reset policy puts a partition whose `offset` (a committed offset or the position) is
 * out of range, or that has none; with `none`, an OffsetOutOfRangeError. The same rule as the
 * in-process logs (and Kafka's `auto.offset.reset`).
 *
 * @example
 * resetPosition(tp, 2, { start: 6, end: 10 }, { policy: 'earliest', owner: 'the consumer', logger }, 'position') // 6, with a warning
 */
export function resetPosition(
  { topic, partition }: TopicPartition,
  offset: number | undefined,
  range: OffsetRange,
  reset: ResetPolicy,
  what: 'committed offset' | 'position',
): number {
  if (offset !== undefined) {
    if (reset.policy === 'none') throw new OffsetOutOfRangeError(topic, partition, offset, range.start, range.end)
    reset.logger.warn(`${what} ${offset} of ${reset.owner} is outside ${topic}-${partition} [${range.start}, ${range.end}]; resetting to ${reset.policy}`)
  }
  if (reset.policy === 'latest') return range.end
  if (reset.policy === 'earliest') return range.start
  throw new OffsetOutOfRangeError(topic, partition, Number.NaN, range.start, range.end)
}

/**
 * Where a newly read partition starts: the committed offset while it is at or above the start
 * (the fetch finds one past the end), else the reset policy; under `none` without one, no
 * position and the error its polls throw.
 *
 * @example
 * startPosition(tp, undefined, { start: 0, end: 3 }, { policy: 'latest', owner: 'the consumer', logger }) // { position: 3 }
 */
export function startPosition(
  topicPartition: TopicPartition,
  committed: number | undefined,
  range: OffsetRange,
  reset: ResetPolicy,
): { position: number | undefined; failure: OffsetOutOfRangeError | undefined } {
  if (committed !== undefined && committed >= range.start) return { position: committed, failure: undefined }
  try {
    return { position: resetPosition(topicPartition, committed, range, reset, 'committed offset'), failure: undefined }
  } catch (error) {
    if (error instanceof OffsetOutOfRangeError) return { position: undefined, failure: error }
    throw error
  }
}
