/**
 * A rate over the last few seconds from a counter read now and then: each reading is kept with
 * its time for `windowMs`, and the rate is the counter's growth since the oldest reading kept.
 * Nothing happens per record; the counter is read when someone asks.
 *
 * @example
 * const meter = new RateMeter(10_000)
 * meter.rate(clock.now(), metrics.recordsIn) // records per second
 */
export class RateMeter {
  private readonly readings: { readonly at: number; readonly value: number }[] = []
  private last = 0

  constructor(private readonly windowMs: number) {}

  /** Takes a reading and returns the rate per second since the oldest one kept (the last rate if too recent). */
  rate(now: number, value: number): number {
    while (this.readings.length > 1 && now - this.readings[1]!.at >= this.windowMs) this.readings.shift()
    const oldest = this.readings[0]
    const newest = this.readings[this.readings.length - 1]
    if (newest === undefined || now - newest.at >= 250) this.readings.push({ at: now, value })
    if (oldest === undefined || now - oldest.at < 500) return this.last
    this.last = Math.max(0, ((value - oldest.value) * 1000) / (now - oldest.at))
    return this.last
  }
}
