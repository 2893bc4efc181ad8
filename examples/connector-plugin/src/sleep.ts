import type { Clock } from 'tributary'

/**
 * Waits `ms` on the connector's clock (so tests can drive it with a ManualClock), or less when
 * `signal` aborts: the runner is stopping the connector.
 *
 * @example
 * await sleep(1000, context.clock, context.signal)
 */
export function sleep(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer)
      resolve()
    }
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
