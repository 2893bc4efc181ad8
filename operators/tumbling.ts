import { ConfigError } from '../core/errors.js'
import { toMillis, type Duration } from '../core/time/duration.js'
import type { TimeWindows } from '../core/time/windows.js'

/**
 * Tumbling windows: fixed-size, back to back, each record in exactly one (`[0, size)`,
 * `[size, 2·size)`, …). A window takes records until stream time passes its end plus `grace`;
 * later ones are late (dropped and counted, or sent to a side output).
 *
 * @example
 * bids.groupByKey().windowedBy(tumbling('1m', { grace: '10s' })).count(named('bids-per-minute'))
 */
export function tumbling(size: Duration, options: { readonly grace?: Duration } = {}): TimeWindows {
  const sizeMs = toMillis(size, 'size')
  if (sizeMs === 0) throw new ConfigError('size', 'tumbling windows need a size above 0')
  return { kind: 'time', name: `tumbling(${String(size)})`, sizeMs, advanceMs: sizeMs, graceMs: toMillis(options.grace ?? 0, 'grace') }
}
