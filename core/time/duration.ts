import { ConfigError } from '../errors.js'

/** A length of time: milliseconds, or a string such as `'250ms'`, `'10s'`, `'5m'`, `'1h'`, `'1d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Milliseconds of a Duration; a ConfigError names `field` when it is not a whole, non-negative
 * number of milliseconds.
 *
 * @example
 * toMillis('5m', 'size') // 300000
 */
export function toMillis(duration: Duration, field: string): number {
  let ms: number
  if (typeof duration === 'number') ms = duration
  else {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration)
    if (match === null) throw new ConfigError(field, `must be milliseconds or a duration like '10s', '5m', '1h', got ${JSON.stringify(duration)}`)
    ms = Number(match[1]) * UNITS[match[2]!]!
  }
  if (!Number.isSafeInteger(ms) || ms < 0) throw new ConfigError(field, `must be a whole number of milliseconds ≥ 0, got ${String(duration)}`)
  return ms
}
