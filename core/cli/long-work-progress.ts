import type { Writable } from 'node:stream'
import { type Clock, type TimerHandle, systemClock } from '../clock.js'
import { type Progress, progress } from './progress.js'

/** A store shard filling from its changelog, as `app.metrics().restores` lists them. */
export interface RestoreFigures {
  readonly restored: number
  readonly total: number
  readonly done: boolean
}

/** What the watch reads of an app: its id and, when the runtime reports them, restores and lag. */
export interface LongWorkApp {
  readonly id: string
  /** The app's metrics; the figures read here (`restores`, `lag`) are optional, as older runtimes lack them. */
  metrics(): object
}

/** The parts of `app.metrics()` the watch reads. */
interface LongWorkFigures {
  readonly restores?: readonly RestoreFigures[]
  readonly lag?: readonly { readonly lag: number }[]
}

export interface LongWorkOptions {
  readonly stream: Writable
  readonly isTTY?: boolean
  readonly clock?: Clock
  /** How often the app's metrics are read. Default 250 ms. */
  readonly intervalMs?: number
  /** A backlog of at least this many records (a topic read from the beginning) gets a bar. Default 10,000. */
  readonly catchUpRecords?: number
}

/**
 * Shows the long work of a running app as progress bars (see `progress`): its stores restoring
 * from their changelogs, and catching up on a large backlog (its lag falling to zero), reading
 * `app.metrics()` every `intervalMs`. Short work shows nothing. `stop()` ends the watch.
 *
 * @example
 * const watch = watchLongWork(app, { stream: process.stderr })
 * await app.done
 * watch.stop()
 */
export function watchLongWork(app: LongWorkApp, options: LongWorkOptions): { stop(): void } {
  const clock = options.clock ?? systemClock
  const intervalMs = options.intervalMs ?? 250
  const catchUpRecords = options.catchUpRecords ?? 10_000
  const bar = (label: string, total: number): Progress =>
    progress({ label, total, stream: options.stream, clock, ...(options.isTTY === undefined ? {} : { isTTY: options.isTTY }) })
  let restoring: Progress | undefined
  let catchingUp: { readonly bar: Progress; readonly backlog: number } | undefined
  let caughtUp = false
  let timer: TimerHandle | undefined

  const look = (): void => {
    const { restores = [], lag = [] } = app.metrics() as LongWorkFigures
    const pending = restores.some((restore) => !restore.done)
    const restored = restores.reduce((sum, restore) => sum + restore.restored, 0)
    if (pending && restoring === undefined) restoring = bar(`restoring the stores of ${app.id}`, restores.reduce((sum, restore) => sum + restore.total, 0))
    restoring?.update(restored)
    if (!pending && restoring !== undefined) {
      restoring.finish()
      restoring = undefined
    }
    // Lag means something only once restores are over and the app reads its input.
    if (pending || caughtUp) return
    const backlog = lag.reduce((sum, partition) => sum + partition.lag, 0)
    if (catchingUp === undefined && backlog >= catchUpRecords) catchingUp = { bar: bar(`catching up ${app.id}`, backlog), backlog }
    catchingUp?.bar.update(Math.max(0, catchingUp.backlog - backlog))
    if (catchingUp !== undefined && backlog === 0) {
      catchingUp.bar.finish()
      caughtUp = true
    }
  }
  const tick = (): void => {
    look()
    timer = clock.setTimeout(tick, intervalMs)
  }
  timer = clock.setTimeout(tick, intervalMs)
  return {
    stop(): void {
      if (timer === undefined) return
      clock.clearTimeout(timer)
      timer = undefined
      look() // the last figures, so a bar that ends here ends where the app got to
      restoring?.finish()
      if (!caughtUp) catchingUp?.bar.finish()
    },
  }
}
