/**
 * The last `capacity` samples of a duration, for quantiles: a fixed ring of numbers, so adding
 * one costs a store and no allocation. Quantiles sort a copy, when someone asks.
 *
 * @example
 * const latency = new SampleWindow(1024)
 * latency.add(0.4)
 * latency.quantile(0.99) // 0.4
 */
export class SampleWindow {
  private readonly samples: Float64Array
  private next = 0
  private filled = 0
  /** Every sample ever added (not only those kept). */
  count = 0
  /** The sum of every sample ever added. */
  sum = 0

  constructor(readonly capacity: number) {
    this.samples = new Float64Array(capacity)
  }

  add(sample: number): void {
    this.samples[this.next] = sample
    this.next = (this.next + 1) % this.capacity
    if (this.filled < this.capacity) this.filled++
    this.count++
    this.sum += sample
  }

  /** The q-quantile (0 ≤ q ≤ 1) of the kept samples, nearest rank; 0 when there are none. */
  quantile(q: number): number {
    if (this.filled === 0) return 0
    const sorted = this.samples.slice(0, this.filled).sort()
    const rank = Math.min(this.filled - 1, Math.max(0, Math.ceil(q * this.filled) - 1))
    return sorted[rank]!
  }
}
