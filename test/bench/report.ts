/**
 * What every benchmark workload shares: the scale factor, percentiles, peak RSS,
 * a fresh temp data dir, and the one JSON line a workload prints.
 *
 * @example
 * await runWorkload('log-append', async () => {
 *   const records = scaled(5_000_000)
 *   return withTempDir(async (dir) => ({ records, seconds: 1 }))
 * })
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../core/errors.js'

/** A workload's result: snake_case names that carry their unit (`p99_ms`, `mb_per_s`). */
export type Figures = Readonly<Record<string, number | string>>

const bytesPerMb = 1_000_000

/** `TRIBUTARY_BENCH_SCALE` (default 1) multiplies every record count, so a quick check runs at 0.05. */
export function benchScale(): number {
  const text = process.env['TRIBUTARY_BENCH_SCALE']
  if (text === undefined || text === '') return 1
  const scale = Number(text)
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new ConfigError('TRIBUTARY_BENCH_SCALE', `must be a positive number, got "${text}"`)
  }
  return scale
}

/** A record count at the current scale; never below one. */
export function scaled(countAtScaleOne: number): number {
  return Math.max(1, Math.round(countAtScaleOne * benchScale()))
}

/** Nearest-rank percentile (0 < p ≤ 100) of values sorted ascending. */
export function percentile(sortedValues: Float64Array, p: number): number {
  if (sortedValues.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sortedValues.length)
  const index = Math.min(sortedValues.length, Math.max(1, rank)) - 1
  return sortedValues[index] ?? Number.NaN
}

/** p50, p99 and p99.9 of latencies in milliseconds (sorts `latenciesMs` in place). */
export function latencyFigures(latenciesMs: Float64Array): { p50_ms: number; p99_ms: number; p999_ms: number } {
  latenciesMs.sort()
  return {
    p50_ms: percentile(latenciesMs, 50),
    p99_ms: percentile(latenciesMs, 99),
    p999_ms: percentile(latenciesMs, 99.9),
  }
}

/** Milliseconds between two `process.hrtime.bigint()` readings. */
export function elapsedMs(startNs: bigint, endNs: bigint = process.hrtime.bigint()): number {
  return Number(endNs - startNs) / 1e6
}

/** Throughput in MB/s (1 MB = 10^6 bytes). */
export function mbPerSecond(bytes: number, seconds: number): number {
  return bytes / bytesPerMb / seconds
}

/** This process's peak resident set size in MB (`maxRSS` is in KiB). */
export function peakRssMb(): number {
  return (process.resourceUsage().maxRSS * 1024) / bytesPerMb
}

/** How often `withRssSampled` reads the RSS. */
const rssSampleIntervalMs = 50

/**
 * Runs `body` while reading this process's RSS every 50 ms, for the memory of one phase of a
 * workload (the process's peak covers all of them). A phase that never yields to timers is
 * sampled at its ends only.
 */
export async function withRssSampled<T>(body: () => Promise<T>): Promise<{ result: T; maxRssMb: number }> {
  let maxRssBytes = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    maxRssBytes = Math.max(maxRssBytes, process.memoryUsage.rss())
  }, rssSampleIntervalMs)
  try {
    const result = await body()
    maxRssBytes = Math.max(maxRssBytes, process.memoryUsage.rss())
    return { result, maxRssMb: maxRssBytes / bytesPerMb }
  } finally {
    clearInterval(sampler)
  }
}

/** Runs `body` with a fresh directory under the OS temp dir (`TMPDIR`), removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'))
  try {
    return await body(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Total size of the regular files under `dir`. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}

/** Keeps four significant digits: enough for noisy figures, short enough to read. */
function rounded(value: number | string): number | string {
  if (typeof value === 'string' || !Number.isFinite(value) || Number.isInteger(value)) return value
  return Number(value.toPrecision(4))
}

/**
 * The line the runner forwards: `{"workload":…, …figures, "peak_rss_mb":…}`. `peak_rss_mb` is this
 * process's, unless `figures` carries its own (a workload that measures in child processes).
 */
export function resultLine(workload: string, figures: Figures): string {
  const { peak_rss_mb: ownPeakRssMb, ...rest } = figures
  const line: Record<string, number | string> = { workload }
  for (const [name, value] of Object.entries(rest)) line[name] = rounded(value)
  line['peak_rss_mb'] = rounded(ownPeakRssMb ?? peakRssMb())
  return JSON.stringify(line)
}

/** How long a finished workload may linger before we call it a handle leak and exit. */
const lingerLimitMs = 5_000

/**
 * The entry point of a workload file: runs `measure`, prints its one JSON line on stdout,
 * or reports the error on stderr and exits non-zero. A log that leaves handles open after
 * `close` is reported rather than allowed to hang the run.
 */
export async function runWorkload(workload: string, measure: () => Promise<Figures>): Promise<void> {
  try {
    const figures = await measure()
    process.stdout.write(`${resultLine(workload, figures)}\n`)
  } catch (error) {
    process.stderr.write(`${workload} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  }
  setTimeout(() => {
    process.stderr.write(`${workload}: still running ${lingerLimitMs} ms after finishing (open handles?); exiting\n`)
    process.exit(process.exitCode ?? 0)
  }, lingerLimitMs).unref()
}
