/**
 * Wakes a waiting poll when something it waits for happened: a batch arrived, the group changed,
 * `wakeup()` was called. The version read before a poll looks at its state makes a notification
 * that lands between the look and the wait count, so none is lost.
 *
 * @example
 * const seen = signal.version
 * if (nothingToReturn()) await signal.wait(seen, remainingMs)
 */
export class WakeSignal {
  private current = 0
  private waiters: (() => void)[] = []

  get version(): number {
    return this.current
  }

  notify(): void {
    this.current++
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }

  /** Resolves on the first notification after `seen`, or after `timeoutMs`. */
  wait(seen: number, timeoutMs: number): Promise<void> {
    if (this.current !== seen || timeoutMs <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.waiters = this.waiters.filter((waiter) => waiter !== done)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      this.waiters.push(done)
    })
  }
}
