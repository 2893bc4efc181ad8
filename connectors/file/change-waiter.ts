import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { Clock } from '../../core/clock.js'
import type { ConnectorLogger } from '../api/types.js'

/**
 * Waits for a file to change: an `fs.watch` event on its directory for its name (so a file
 * created after a rotation is seen too), a poll interval as the backstop where watching misses
 * events (network file systems), or the connector stopping. The watch keeps the process alive
 * while the source runs, as `tail -F` does (the clock's timers do not); `close` releases it.
 *
 * @example
 * const waiter = new ChangeWaiter('/var/log/app.jsonl', systemClock, signal, logger)
 * await waiter.wait(100) // at most 100 ms
 * waiter.close()
 */
export class ChangeWaiter {
  private changed = false
  private wake: (() => void) | undefined
  private readonly watcher: FSWatcher | undefined

  constructor(
    path: string,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    logger: ConnectorLogger,
  ) {
    const name = basename(path)
    try {
      this.watcher = watch(dirname(path), { persistent: true }, (_event, changedName) => {
        if (changedName === null || changedName === name) this.notify()
      })
      this.watcher.on('error', (error) => logger.warn(`watching ${path} failed (${error.message}); polling only`))
    } catch (error) {
      logger.warn(`cannot watch ${path} (${error instanceof Error ? error.message : String(error)}); polling only`)
    }
  }

  /** Resolves on a change seen since the last wait, after `timeoutMs`, or when the signal aborts. */
  wait(timeoutMs: number): Promise<void> {
    if (this.changed || this.signal.aborted) {
      this.changed = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = (): void => {
        this.clock.clearTimeout(timer)
        this.signal.removeEventListener('abort', done)
        this.wake = undefined
        this.changed = false
        resolve()
      }
      const timer = this.clock.setTimeout(done, timeoutMs)
      this.signal.addEventListener('abort', done, { once: true })
      this.wake = done
    })
  }

  close(): void {
    this.watcher?.close()
    this.wake?.()
  }

  private notify(): void {
    this.changed = true
    this.wake?.()
  }
}
