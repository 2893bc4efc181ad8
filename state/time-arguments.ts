import { StateTimestampError } from './errors.js'
import { clampTime, isStorableTime } from './time-bytes.js'

/**
 * Checks a time that is stored (a window start, a session bound): an integer within ±2^53.
 *
 * @example
 * storedTime('clicks', 'windowStart', 60_000) // 60000
 * storedTime('clicks', 'windowStart', 1.5)    // throws StateTimestampError
 */
export function storedTime(store: string, field: string, time: number): number {
  if (!isStorableTime(time)) throw new StateTimestampError(store, field, time, 'must be an integer of milliseconds within ±2^53')
  return time
}

/**
 * A query bound: any number but NaN, ±Infinity meaning no bound.
 *
 * @example
 * queryTime('clicks', 'to', Infinity, 'to') // Number.MAX_SAFE_INTEGER
 */
export function queryTime(store: string, field: string, time: number, side: 'from' | 'to'): number {
  if (Number.isNaN(time)) throw new StateTimestampError(store, field, time, 'must be a number')
  return clampTime(time, side)
}
