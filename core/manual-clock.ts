import type { Clock, TimerHandle } from './clock.js'

/**
 * A clock that moves only when told: tests and the test driver use it so that no timer
 * or timestamp depends on the wall clock.
 *
 * @example
 * const clock = new ManualClock(1_000)
 * clock.setTimeout(() => console.log('fired'), 500)
 * clock.advance(500) // prints "fired"
 */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; callback: () => void; handle: TimerHandle }[] = []
  private seq = 0

  constructor(private current = 0) {}

  now(): number {
    return this.current
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const handle: TimerHandle = { id: ++this.seq }
    this.timers.push({ at: this.current + Math.max(0, delayMs), seq: this.seq, callback, handle })
    return handle
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.handle !== handle)
  }

  /** Moves time forward, firing due timers in time order (timers they set fire too when due). */
  advance(ms: number): void {
    const target = this.current + ms
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (due === undefined) break
      this.timers = this.timers.filter((timer) => timer !== due)
      this.current = Math.max(this.current, due.at)
      due.callback()
    }
    this.current = target
  }

  /** Sets the time (never backwards), firing due timers. */
  set(timeMs: number): void {
    this.advance(Math.max(0, timeMs - this.current))
  }
}
