/**
 * The soak's figures: one JSON line per 10 s window (throughput, latency, memory, handles, disk),
 * and the verdict that compares the run's end with its state after warm-up.
 *
 * @example
 * const line = windowLine(state, sample)
 * process.stdout.write(`${JSON.stringify(line)}\n`)
 */
import { percentile } from '../bench/report.js'

/** The thresholds the verdict applies; stated in `soak.ts`'s doc comment too. */
export const THRESHOLDS = {
  /** RSS at the end may exceed RSS at the reference mark by at most this much. */
  rssGrowthPercent: 15,
  /** Open file descriptors at the end may exceed those at the reference mark by at most this many. */
  fdGrowth: 5,
  /** p99 of the last minute ≤ factor × p99 of the first minute after warm-up + slack. */
  p99Factor: 2,
  p99SlackMs: 20,
} as const

/** What the soak reads at the end of every window. */
export interface Sample {
  readonly elapsedS: number
  readonly produced: number
  readonly consumed: number
  readonly latenciesMs: Float64Array
  readonly rssMb: number
  readonly heapUsedMb: number
  readonly fds: number
  readonly activeHandles: number
  readonly logMb: number
  readonly stateMb: number
  /** Produced but not yet read from the output topic. */
  readonly lag: number
  readonly producerPausedMs: number
  /** Evidence that maintenance runs: the input's summed start offset, the changelog's size and segment count. */
  readonly inputStartOffset: number
  readonly changelogEndOffset: number
  readonly changelogMb: number
  readonly changelogSegments: number
}

/** The figures of one window, as printed. */
export type WindowLine = Readonly<Record<string, number>>

/**
 * Turns a sample into its printed line, given the totals at the previous window's end.
 *
 * @example
 * windowLine(sample, { produced: 0, consumed: 0 }) // { elapsed_s: 10, produced: 40000, … }
 */
export function windowLine(sample: Sample, before: { readonly produced: number; readonly consumed: number }): WindowLine {
  const sorted = Float64Array.from(sample.latenciesMs).sort()
  return {
    elapsed_s: Math.round(sample.elapsedS),
    produced: sample.produced - before.produced,
    consumed: sample.consumed - before.consumed,
    produced_total: sample.produced,
    consumed_total: sample.consumed,
    lag: sample.lag,
    producer_paused_ms: Math.round(sample.producerPausedMs),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    rss_mb: round(sample.rssMb),
    heap_used_mb: round(sample.heapUsedMb),
    fds: sample.fds,
    active_handles: sample.activeHandles,
    log_mb: round(sample.logMb),
    state_mb: round(sample.stateMb),
    input_start_offset: sample.inputStartOffset,
    changelog_end_offset: sample.changelogEndOffset,
    changelog_mb: round(sample.changelogMb),
    changelog_segments: sample.changelogSegments,
  }
}

/**
 * Pools the latencies of several windows and gives their p99 (NaN when there are none).
 *
 * @example
 * pooledP99([new Float64Array([1, 2]), new Float64Array([3])]) // 3
 */
export function pooledP99(windows: readonly Float64Array[]): number {
  const total = windows.reduce((sum, window) => sum + window.length, 0)
  const pooled = new Float64Array(total)
  let at = 0
  for (const window of windows) {
    pooled.set(window, at)
    at += window.length
  }
  return percentile(pooled.sort(), 99)
}

/** What the verdict compares. */
export interface VerdictInput {
  readonly referenceS: number
  readonly rssAtReferenceMb: number
  readonly rssAtEndMb: number
  readonly fdsFirst: number
  readonly fdsAtReference: number
  readonly fdsLast: number
  readonly p99FirstMinuteMs: number
  readonly p99LastMinuteMs: number
  readonly logMaxMb: number
  readonly logBoundMb: number
  /** How many records the consumer never saw (produced − consumed once drained). */
  readonly undelivered: number
}

/**
 * Judges a run: `flat` when every measure is within its threshold, else `growing` with the
 * measures that failed.
 *
 * @example
 * verdictLine({ referenceS: 300, rssAtReferenceMb: 200, rssAtEndMb: 210, fdsFirst: 40, fdsAtReference: 60, fdsLast: 61,
 *   p99FirstMinuteMs: 8, p99LastMinuteMs: 9, logMaxMb: 30, logBoundMb: 40, undelivered: 0 }).verdict // 'flat'
 */
export function verdictLine(input: VerdictInput): Record<string, number | string | string[]> {
  const rssGrowthPercent = ((input.rssAtEndMb - input.rssAtReferenceMb) / input.rssAtReferenceMb) * 100
  const fdGrowth = input.fdsLast - input.fdsAtReference
  const p99LimitMs = THRESHOLDS.p99Factor * input.p99FirstMinuteMs + THRESHOLDS.p99SlackMs
  const failed: string[] = []
  if (!(rssGrowthPercent <= THRESHOLDS.rssGrowthPercent)) failed.push('rss')
  if (!(fdGrowth <= THRESHOLDS.fdGrowth)) failed.push('fds')
  if (!(input.p99LastMinuteMs <= p99LimitMs)) failed.push('p99')
  if (!(input.logMaxMb <= input.logBoundMb)) failed.push('disk')
  if (input.undelivered !== 0) failed.push('delivery')
  return {
    verdict: failed.length === 0 ? 'flat' : 'growing',
    failed,
    reference_s: Math.round(input.referenceS),
    rss_at_reference_mb: round(input.rssAtReferenceMb),
    rss_at_end_mb: round(input.rssAtEndMb),
    rss_growth_percent: round(rssGrowthPercent),
    fds_first: input.fdsFirst,
    fds_at_reference: input.fdsAtReference,
    fds_last: input.fdsLast,
    p99_first_minute_after_warmup_ms: round(input.p99FirstMinuteMs),
    p99_last_minute_ms: round(input.p99LastMinuteMs),
    p99_limit_ms: round(p99LimitMs),
    log_max_mb: round(input.logMaxMb),
    log_bound_mb: round(input.logBoundMb),
    undelivered: input.undelivered,
  }
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value
}
