import { ConfigError } from '../core/errors.js'
import { toMillis, type Duration } from '../core/time/duration.js'

/**
 * Session windows: a key's records separated by less than `gap` of event time belong to one
 * session, `[first record, last record]`; a record that bridges two sessions merges them. A
 * session takes records until stream time passes its end plus the gap plus `grace`.
 */
export interface SessionWindows {
  readonly kind: 'session'
  readonly name: string
  readonly gapMs: number
  readonly graceMs: number
}

/**
 * Session windows with an inactivity gap (Kafka Streams' `SessionWindows`).
 *
 * @example
 * clicks.groupByKey({ key: serdes.string() }).windowedBy(sessions('30m')).count({ name: 'clicks-per-visit' })
 */
export function sessions(gap: Duration, options: { readonly grace?: Duration } = {}): SessionWindows {
  const gapMs = toMillis(gap, 'gap')
  if (gapMs === 0) throw new ConfigError('gap', 'session windows need an inactivity gap above 0')
  return { kind: 'session', name: `sessions(${String(gap)})`, gapMs, graceMs: toMillis(options.grace ?? 0, 'grace') }
}
