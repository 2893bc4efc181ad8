/** Whether a punctuator follows event time (stream time) or the wall clock. */
export type PunctuationType = 'stream-time' | 'wall-clock'

interface Schedule {
  readonly type: PunctuationType
  readonly intervalMs: number
  next: number
  readonly callback: (time: number) => void
}

/**
 * A task's sense of time: stream time (the highest event time it has taken, or, after an idle
 * timeout, moved on by the wall clock), the punctuators scheduled on either clock, and who
 * wants to know when stream time advances (windows that close, buffers that release).
 *
 * @example
 * const time = new TaskTime(clock.now(), 30_000)
 * time.observe(record.timestamp, clock.now())
 * time.tick(clock.now()) // wall-clock punctuators, idle advance
 */
export class TaskTime {
  streamTime = -Infinity
  private lastInputWallMs: number
  /** Stream time when the last record came (idle advance counts from there). */
  private lastInputStreamTime = -Infinity
  private readonly schedules = new Set<Schedule>()
  private readonly listeners = new Set<() => void>()
  /**
   * Async work in flight, bucketed by the stream time of the record it works for (ascending, so
   * the oldest bucket is first): what `settledStreamTime` holds back for.
   */
  private readonly inFlight: { readonly time: number; count: number }[] = []

  constructor(
    nowMs: number,
    /** After this long without a record, stream time moves on with the wall clock; undefined: never. */
    private readonly idleTimeoutMs: number | undefined,
  ) {
    this.lastInputWallMs = nowMs
  }

  /** A record with event time `timestamp` was taken; true if stream time advanced. */
  observe(timestamp: number, nowMs: number): boolean {
    this.lastInputWallMs = nowMs
    if (timestamp <= this.streamTime) {
      this.lastInputStreamTime = this.streamTime
      return false
    }
    this.streamTime = timestamp
    this.lastInputStreamTime = timestamp
    return true
  }

  /** After a record was processed: stream-time punctuators due, then advance listeners. */
  advanced(): void {
    this.fire('stream-time', this.streamTime)
    this.notify()
  }

  /** Calls the advance listeners (what they wait for may have come without stream time moving). */
  notify(): void {
    for (const listener of this.listeners) listener()
  }

  /**
   * Wall-clock work: punctuators due, and, once no record came for the idle timeout, stream time
   * moved on by the wall-clock time since the last record.
   */
  tick(nowMs: number): void {
    this.fire('wall-clock', nowMs)
    if (this.idleTimeoutMs === undefined || this.lastInputStreamTime === -Infinity) return
    const idleMs = nowMs - this.lastInputWallMs
    if (idleMs < this.idleTimeoutMs) return
    const moved = this.lastInputStreamTime + idleMs
    if (moved <= this.streamTime) return
    this.streamTime = moved
    this.advanced()
  }

  /**
   * Stream time as far as every record has been handled: the stream time when the oldest async
   * work still in flight began, or stream time when none is. An operator that releases results
   * by stream time (suppress) releases up to here, so a record still being handled cannot
   * change a window already released.
   */
  get settledStreamTime(): number {
    while (this.inFlight.length > 0 && this.inFlight[0]!.count === 0) this.inFlight.shift()
    return this.inFlight.length > 0 ? this.inFlight[0]!.time : this.streamTime
  }

  /**
   * Async work began for a record taken at stream time `time` (default: now); the returned
   * function says it finished (and lets listeners release). Work downstream of an earlier async
   * step begins after later records moved stream time on, but is held back for at its record's.
   */
  begin(time = this.streamTime): () => void {
    // Usually the newest bucket; an older one is found (or placed) in order from the end.
    let at = this.inFlight.length
    while (at > 0 && this.inFlight[at - 1]!.time > time) at--
    let bucket = this.inFlight[at - 1]
    if (bucket === undefined || bucket.time !== time) {
      bucket = { time, count: 0 }
      this.inFlight.splice(at, 0, bucket)
    }
    bucket.count++
    const counted = bucket
    return () => {
      counted.count--
      if (counted.count === 0 && counted === this.inFlight[0]) for (const listener of this.listeners) listener()
    }
  }

  schedule(type: PunctuationType, intervalMs: number, nowMs: number, callback: (time: number) => void): () => void {
    const start = type === 'wall-clock' ? nowMs : this.streamTime
    const schedule: Schedule = { type, intervalMs, next: start === -Infinity ? -Infinity : start + intervalMs, callback }
    this.schedules.add(schedule)
    return () => this.schedules.delete(schedule)
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Fires each due punctuator of `type` once (however many intervals passed), as Kafka Streams does. */
  private fire(type: PunctuationType, time: number): void {
    if (time === -Infinity) return
    for (const schedule of this.schedules) {
      if (schedule.type !== type) continue
      if (schedule.next === -Infinity) {
        schedule.next = time + schedule.intervalMs
        continue
      }
      if (time < schedule.next) continue
      schedule.next = time + schedule.intervalMs
      schedule.callback(time)
    }
  }
}
