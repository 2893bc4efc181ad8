import type { Clock } from '../../core/clock.js'

/**
 * Spreads records evenly at `ratePerSecond` on a clock: the first record may go at once, record
 * n once n / rate seconds have passed since the pacer was made (the task's start). Time comes from the injected clock,
 * so tests move it with a ManualClock.
 *
 * @example
 * const pacer = new Pacer(100, clock) // 100 records per second
 * const allowed = pacer.allowed()     // records that may go now
 * pacer.sent(allowed)
 * pacer.msUntilNext()                 // 10, after the first
 */
export class Pacer {
  private readonly startMs: number
  private sentSoFar = 0

  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: Clock,
  ) {
    this.startMs = clock.now()
  }

  /** How many records may go now. */
  allowed(): number {
    const now = this.clock.now()
    return Math.floor(((now - this.startMs) * this.ratePerSecond) / 1000) + 1 - this.sentSoFar
  }

  /** Records `count` records as sent. */
  sent(count: number): void {
    this.sentSoFar += count
  }

  /** Milliseconds until the next record may go (0 when one may go now). */
  msUntilNext(): number {
    const now = this.clock.now()
    return Math.max(0, Math.ceil((this.sentSoFar * 1000) / this.ratePerSecond - (now - this.startMs)))
  }
}
