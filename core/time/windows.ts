/** A time window: `start` inclusive, `end` exclusive, in milliseconds of event time. */
export interface TimeWindow {
  readonly start: number
  readonly end: number
}

/** A key in a window (windowed aggregates) or a session. */
export interface Windowed<K> {
  readonly key: K
  readonly window: TimeWindow
}

/**
 * Fixed-size time windows, as tumbling and hopping windows make them: `[start, start + size)`,
 * starting every `advance` ms from the epoch, accepting records until stream time passes
 * `end + grace`.
 */
export interface TimeWindows {
  readonly kind: 'time'
  /** For describe() and errors: `tumbling(5m)`, `hopping(5m, 1m)`. */
  readonly name: string
  readonly sizeMs: number
  readonly advanceMs: number
  readonly graceMs: number
}

/**
 * The start times of the windows a record at `timestamp` falls in, ascending (as Kafka
 * Streams' TimeWindows: none starts before 0).
 *
 * @example
 * windowStartsFor({ kind: 'time', name: 'hopping', sizeMs: 10, advanceMs: 5, graceMs: 0 }, 12) // [5, 10]
 */
export function windowStartsFor(windows: TimeWindows, timestamp: number): number[] {
  const { sizeMs, advanceMs } = windows
  const starts: number[] = []
  let start = Math.floor(Math.max(0, timestamp - sizeMs + advanceMs) / advanceMs) * advanceMs
  for (; start <= timestamp; start += advanceMs) if (start + sizeMs > timestamp) starts.push(start)
  return starts
}
