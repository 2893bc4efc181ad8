import { ConfigError } from '../core/errors.js'
import type { JoinWindows } from '../core/runtime/join-windows.js'
import { toMillis, type Duration } from '../core/time/duration.js'

/**
 * The window of a stream-stream join, as Kafka Streams'
 * `JoinWindows.ofTimeDifferenceAndGrace(timeDifference, grace)`: records of the two streams
 * join when their timestamps are at most `timeDifference` apart. `before` and `after` make it
 * asymmetric: a record of the other stream may be at most `before` earlier and `after` later
 * than one of this stream (each defaults to `timeDifference`). Records may arrive out of order
 * by up to `grace` (default 0) after a record's window ends; later ones are late, dropped and
 * counted in `metrics().lateRecords`. `leftJoin` and `outerJoin` emit a record without a match
 * once its window has closed, at its end plus grace.
 *
 * @example
 * orders.join(payments, (order, payment) => ({ order, payment }), joinWindow('10m', { grace: '1m' }), { name: 'order-payments' })
 * @see tumbling
 */
export function joinWindow(timeDifference: Duration, options: { readonly grace?: Duration; readonly before?: Duration; readonly after?: Duration } = {}): JoinWindows {
  const differenceMs = toMillis(timeDifference, 'timeDifference')
  const beforeMs = options.before === undefined ? differenceMs : toMillis(options.before, 'before')
  const afterMs = options.after === undefined ? differenceMs : toMillis(options.after, 'after')
  const graceMs = toMillis(options.grace ?? 0, 'grace')
  if (!Number.isSafeInteger(beforeMs + afterMs + graceMs + 1)) throw new ConfigError('timeDifference', `before + after + grace must be a safe number of milliseconds, got ${beforeMs + afterMs + graceMs}`)
  const bounds = options.before === undefined && options.after === undefined ? String(timeDifference) : `before ${String(options.before ?? timeDifference)}, after ${String(options.after ?? timeDifference)}`
  return { kind: 'join', name: `joinWindow(${bounds}${graceMs > 0 ? `, grace ${String(options.grace)}` : ''})`, beforeMs, afterMs, graceMs }
}
