import { ConfigError } from '../core/errors.js'
import { toMillis, type Duration } from '../core/time/duration.js'

/**
 * Sliding windows (Kafka Streams' `SlidingWindows`, KIP-450): windows of a fixed length whose
 * place is set by the records, so that each window holds records at most `timeDifferenceMs`
 * apart. Both ends are inclusive: `[start, start + timeDifferenceMs]`.
 */
export interface SlidingWindows {
  readonly kind: 'sliding'
  /** For describe() and errors: `sliding(10s)`. */
  readonly name: string
  readonly timeDifferenceMs: number
  readonly graceMs: number
}

/**
 * Sliding windows over a key's records: each record at time `t` has a left window
 * `[t - timeDifference, t]`, and a right window `[t + 1, t + 1 + timeDifference]` that exists
 * once a later record falls in it. A window's aggregate covers exactly the records in it, and a
 * record updates every window it falls in, so the table has one entry per distinct set of
 * records close enough in time, as Kafka Streams computes them.
 *
 * - **End inclusive**: the `Windowed` key's `window.end` is the window's last millisecond, not
 *   the first after it as for tumbling and hopping windows.
 * - **Grace**: a window takes records until stream time passes `end + grace`. A record whose
 *   left window is closed then (`t + grace < stream time`) is late: counted and dropped, or
 *   copied to the `lateRecords` topic.
 * - **Near the epoch**: windows never start before 0 (as in Kafka Streams); a record earlier than
 *   `timeDifference` has `[0, timeDifference]` as its left window.
 *
 * @example
 * // Per user, the number of payments within any 10 minutes:
 * payments.groupByKey({ key: serdes.string() })
 *   .windowedBy(sliding('10m', { grace: '30s' }))
 *   .count({ name: 'payments-per-10m' })
 *
 * @see tumbling
 * @see hopping
 * @see sessions
 */
export function sliding(timeDifference: Duration, options: { readonly grace?: Duration } = {}): SlidingWindows {
  const timeDifferenceMs = toMillis(timeDifference, 'timeDifference')
  // Kafka Streams allows 0 (windows of one instant); the window store needs a length above 0.
  if (timeDifferenceMs === 0) throw new ConfigError('timeDifference', 'sliding windows need a time difference above 0')
  return { kind: 'sliding', name: `sliding(${String(timeDifference)})`, timeDifferenceMs, graceMs: toMillis(options.grace ?? 0, 'grace') }
}
