import type { Writable } from 'node:stream'
import { type Clock, systemClock } from '../clock.js'

/** How a long piece of work reports how far it is. */
export interface ProgressOptions {
  /** What is being done, e.g. `replaying orders-dlq`. */
  readonly label: string
  /** How many units there are in all; without it the bar shows only the count and the rate. */
  readonly total?: number
  /** Where the bar or the log lines go (the command's stderr). */
  readonly stream: Writable
  /** Draws a redrawn bar when true, plain log lines otherwise. Default: the stream's own `isTTY`. */
  readonly isTTY?: boolean
  /** Default: the system clock. Tests pass a ManualClock. */
  readonly clock?: Clock
  /** Plain output: at most one line per this many milliseconds (and one at the end). Default 5 s. */
  readonly logIntervalMs?: number
  /** Terminal output: at most one redraw per this many milliseconds. Default 100 ms. */
  readonly redrawIntervalMs?: number
}

/** A running progress report; `update` is cheap enough to call for every batch. */
export interface Progress {
  /** How many units are done so far (not an increment). */
  update(done: number): void
  /** Draws the final state and ends the line; later calls do nothing. */
  finish(): void
}

const BAR_WIDTH = 20
/** Erases from the cursor to the end of the line, so a shorter redraw leaves nothing behind. */
const CLEAR_TO_END = '\u001b[K'

/**
 * A progress report on `stream`: on a terminal a single line redrawn in place,
 * `label [#########...........] 45% 12,300/27,000 4,100/s ETA 4s`; otherwise (a pipe, a file,
 * a service log) a plain line at most every `logIntervalMs`, and one when it finishes. The rate
 * is the average since the start.
 *
 * @example
 * const bar = progress({ label: 'replaying orders-dlq', total: 27_000, stream: process.stderr })
 * for (const batch of batches) { await send(batch); bar.update(done += batch.length) }
 * bar.finish()
 */
export function progress(options: ProgressOptions): Progress {
  const clock = options.clock ?? systemClock
  const isTTY = options.isTTY ?? (options.stream as Writable & { isTTY?: boolean }).isTTY === true
  const intervalMs = isTTY ? (options.redrawIntervalMs ?? 100) : (options.logIntervalMs ?? 5_000)
  const startedAt = clock.now()
  let done = 0
  let drawnAt: number | undefined
  let finished = false

  const draw = (final: boolean): void => {
    const figures: ProgressFigures = { label: options.label, done, total: options.total, elapsedMs: clock.now() - startedAt }
    if (isTTY) options.stream.write(`\r${renderBarLine(figures)}${CLEAR_TO_END}${final ? '\n' : ''}`)
    else options.stream.write(`${final ? renderFinalLogLine(figures) : renderLogLine(figures)}\n`)
    drawnAt = clock.now()
  }

  return {
    update(count: number): void {
      if (finished) return
      done = count
      // A terminal shows the bar at once; a log waits a full interval, so quick work logs only its
      // end, and leaves a complete count to the final line.
      if (isTTY ? drawnAt === undefined || clock.now() - drawnAt >= intervalMs : clock.now() - (drawnAt ?? startedAt) >= intervalMs && !(options.total !== undefined && done >= options.total)) draw(false)
    },
    finish(): void {
      if (finished) return
      finished = true
      draw(true)
    },
  }
}

/** What one drawing of the progress shows. */
export interface ProgressFigures {
  readonly label: string
  readonly done: number
  readonly total: number | undefined
  readonly elapsedMs: number
}

/**
 * The terminal line (without the carriage return): label, bar, percentage, count, rate, time left.
 *
 * @example
 * renderBarLine({ label: 'replay', done: 45, total: 100, elapsedMs: 9_000 })
 * // 'replay [#########...........] 45% 45/100 5/s ETA 11s'
 */
export function renderBarLine({ label, done, total, elapsedMs }: ProgressFigures): string {
  const rate = ratePerSecond(done, elapsedMs)
  if (total === undefined) return `${label} ${count(done)} ${formatRate(rate)}`
  const fraction = total === 0 ? 1 : Math.min(1, done / total)
  const filled = Math.floor(fraction * BAR_WIDTH)
  const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled)
  return `${label} [${bar}] ${Math.floor(fraction * 100)}% ${count(done)}/${count(total)} ${formatRate(rate)} ETA ${timeLeft(total - done, rate)}`
}

/**
 * A plain log line for a pipe or a file.
 *
 * @example
 * renderLogLine({ label: 'replay', done: 45, total: 100, elapsedMs: 9_000 })
 * // 'replay: 45/100 (45%), 5/s, ETA 11s'
 */
export function renderLogLine({ label, done, total, elapsedMs }: ProgressFigures): string {
  const rate = ratePerSecond(done, elapsedMs)
  if (total === undefined) return `${label}: ${count(done)}, ${formatRate(rate)}`
  const percent = total === 0 ? 100 : Math.floor(Math.min(1, done / total) * 100)
  return `${label}: ${count(done)}/${count(total)} (${percent}%), ${formatRate(rate)}, ETA ${timeLeft(total - done, rate)}`
}

/**
 * The last log line: how many, in how long.
 *
 * @example
 * renderFinalLogLine({ label: 'replay', done: 100, total: 100, elapsedMs: 20_000 })
 * // 'replay: 100/100 done in 20s, 5/s'
 */
export function renderFinalLogLine({ label, done, total, elapsedMs }: ProgressFigures): string {
  const counted = total === undefined ? count(done) : `${count(done)}/${count(total)}`
  return `${label}: ${counted} done in ${formatSeconds(elapsedMs / 1000)}, ${formatRate(ratePerSecond(done, elapsedMs))}`
}

function ratePerSecond(done: number, elapsedMs: number): number | undefined {
  return elapsedMs > 0 ? (done * 1000) / elapsedMs : undefined
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

function formatRate(rate: number | undefined): string {
  return rate === undefined ? '-/s' : `${count(rate)}/s`
}

function timeLeft(remaining: number, rate: number | undefined): string {
  if (remaining <= 0) return '0s'
  if (rate === undefined || rate === 0) return '-'
  return formatSeconds(remaining / rate)
}

/**
 * Seconds as `4s`, `1m05s` or `2h03m`, rounded up so a bar never says 0s while work is left.
 *
 * @example
 * formatSeconds(65) // '1m05s'
 */
export function formatSeconds(seconds: number): string {
  const whole = Math.ceil(seconds)
  if (whole < 60) return `${whole}s`
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`
}
