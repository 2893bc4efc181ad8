import type { Clock } from '../../core/clock.js'
import { ConfigError } from '../../core/errors.js'
import { toMillis } from '../../core/time/duration.js'
import type { RetrySpec } from './spec.js'

/** A RetrySpec with every default filled in. */
export interface RetryPolicy {
  readonly max: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
}

/**
 * Fills in a RetrySpec's defaults (10 retries, 100 ms doubling to 10 s), checking each field.
 *
 * @example
 * resolveRetry({ max: 3 }, 'connectors.orders.retries') // { max: 3, initialDelayMs: 100, maxDelayMs: 10000 }
 */
export function resolveRetry(spec: RetrySpec | undefined, field: string): RetryPolicy {
  const max = spec?.max ?? 10
  if (!Number.isSafeInteger(max) || max < 0) throw new ConfigError(`${field}.max`, `must be an integer ≥ 0, got ${String(max)}`)
  const initialDelayMs = toMillis(spec?.initialDelay ?? 100, `${field}.initialDelay`)
  const maxDelayMs = toMillis(spec?.maxDelay ?? 10_000, `${field}.maxDelay`)
  if (maxDelayMs < initialDelayMs) throw new ConfigError(`${field}.maxDelay`, `must be at least initialDelay (${initialDelayMs} ms), got ${maxDelayMs} ms`)
  return { max, initialDelayMs, maxDelayMs }
}

/** True for an error that says trying again may work (`retriable: true`, as every TributaryError carries). */
export function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true
}

/** Thrown by `waitFor` when the signal aborts the wait. */
export class StoppedError extends Error {
  constructor() {
    super('stopped')
    this.name = 'StoppedError'
  }
}

/**
 * Resolves after `ms` on the clock, or rejects with StoppedError when `signal` aborts first.
 *
 * @example
 * await waitFor(250, systemClock, controller.signal)
 */
export function waitFor(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new StoppedError())
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer)
      reject(new StoppedError())
    }
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Calls `attempt` until it succeeds; a retriable error is retried after an exponential backoff
 * (with jitter, honouring an error's `retryAfterMs`), up to `policy.max` times; any other error,
 * or the last one, is thrown. `onRetry` hears each retry.
 *
 * @example
 * await withRetries(() => sink.flush(), policy, clock, signal, (error, n) => logger.warn(`flush failed, retry ${n}`))
 */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy, clock: Clock, signal: AbortSignal, onRetry: (error: unknown, retry: number, delayMs: number) => void): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt()
    } catch (error) {
      if (!isRetriable(error) || retry >= policy.max || signal.aborted) throw error
      const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry)
      const jittered = Math.round(backoff * (0.8 + Math.random() * 0.2))
      const asked = (error as { retryAfterMs?: unknown }).retryAfterMs
      const delayMs = typeof asked === 'number' && Number.isFinite(asked) && asked >= 0 ? Math.min(Math.max(asked, jittered), policy.maxDelayMs * 6) : jittered
      onRetry(error, retry + 1, delayMs)
      await waitFor(delayMs, clock, signal)
    }
  }
}
