/**
 * All time goes through a Clock, so tests control every timestamp and timer.
 *
 * @example
 * const clock = systemClock
 * const timer = clock.setTimeout(() => console.log('tick'), 100)
 * clock.clearTimeout(timer)
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, delayMs: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** An opaque handle returned by `Clock.setTimeout`. */
export interface TimerHandle {
  readonly id: unknown
}

/** The wall clock of the process. Timers are unref'd so they never keep a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const id = setTimeout(callback, delayMs)
    id.unref()
    return { id }
  },
  clearTimeout(handle) {
    clearTimeout(handle.id as NodeJS.Timeout)
  },
}
