import type { RestoreProgress } from './restore.js'

/** Where progress goes: a terminal gets a live bar, anything else a log line now and then. */
export interface ProgressOutput {
  readonly isTTY?: boolean
  write(text: string): unknown
}

const SMALL_RESTORE = 10_000
const LINE_INTERVAL_MS = 5_000
const BAR_WIDTH = 30

/**
 * Reports restores: on a terminal, one bar redrawn in place (records restored, rate, time
 * left); otherwise a log line every 5 s and one at the end. Restores of fewer than 10,000
 * records are not worth a word.
 *
 * @example
 * const report = restoreReporter(process.stderr, (line) => logger.info(line))
 * await restoreShard({ ..., progress: report })
 */
export function restoreReporter(output: ProgressOutput, log: (line: string) => void): (progress: RestoreProgress) => void {
  let lastLineAt = -Infinity
  return (progress) => {
    if (progress.total < SMALL_RESTORE) return
    const text = describe(progress)
    if (output.isTTY === true) {
      output.write(`\r${bar(progress.restored / progress.total)} ${text}\u001b[K${progress.done ? '\n' : ''}`)
    } else if (progress.done || progress.elapsedMs - lastLineAt >= LINE_INTERVAL_MS) {
      lastLineAt = progress.elapsedMs
      log(text)
    }
  }
}

function describe(progress: RestoreProgress): string {
  const seconds = Math.max(progress.elapsedMs, 1) / 1000
  const rate = progress.restored / seconds
  const head = `restoring ${progress.store} [${progress.partition}]`
  if (progress.done) return `${head}: ${progress.restored.toLocaleString('en')} records in ${seconds.toFixed(1)} s (${Math.round(rate).toLocaleString('en')}/s)`
  const left = rate > 0 ? Math.max(0, progress.total - progress.restored) / rate : Infinity
  return `${head}: ${progress.restored.toLocaleString('en')} of ~${progress.total.toLocaleString('en')} records, ${Math.round(rate).toLocaleString('en')}/s, ${Number.isFinite(left) ? `${Math.ceil(left)} s` : '?'} left`
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH)
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(Math.min(1, fraction) * 100)}%`
}
