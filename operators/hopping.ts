import { ConfigError } from '../core/errors.js'
import { toMillis, type Duration } from '../core/time/duration.js'
import type { TimeWindows } from '../core/time/windows.js'

/**
 * Hopping windows: fixed-size windows that start every `advance` ms and so overlap (a record
 * falls in `size / advance` of them). With `advance` equal to `size` they are tumbling windows.
 * A window takes records until stream time passes its end plus `grace`.
 *
 * @example
 * bids.groupByKey().windowedBy(hopping('10s', '2s')).count(named('hot-items'))
 */
export function hopping(size: Duration, advance: Duration, options: { readonly grace?: Duration } = {}): TimeWindows {
  const sizeMs = toMillis(size, 'size')
  const advanceMs = toMillis(advance, 'advance')
  if (sizeMs === 0 || advanceMs === 0 || advanceMs > sizeMs) throw new ConfigError('advance', `hopping windows need 0 < advance ≤ size, got size ${String(size)} and advance ${String(advance)}`)
  return { kind: 'time', name: `hopping(${String(size)}, ${String(advance)})`, sizeMs, advanceMs, graceMs: toMillis(options.grace ?? 0, 'grace') }
}
