import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WakeSignal } from '../../../core/log/kafka/wake-signal.js'

describe('WakeSignal', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('does not wait when notified since the version was read', async () => {
    const signal = new WakeSignal()
    const seen = signal.version
    signal.notify()
    await expect(signal.wait(seen, 60_000)).resolves.toBeUndefined()
  })

  it('wakes a waiter on notify, before its timeout', async () => {
    const signal = new WakeSignal()
    let woken = false
    const waiting = signal.wait(signal.version, 60_000).then(() => (woken = true))
    await vi.advanceTimersByTimeAsync(10)
    expect(woken).toBe(false)
    signal.notify()
    await waiting
    expect(woken).toBe(true)
  })

  it('returns after the timeout when nothing happens', async () => {
    const signal = new WakeSignal()
    let woken = false
    const waiting = signal.wait(signal.version, 500).then(() => (woken = true))
    await vi.advanceTimersByTimeAsync(499)
    expect(woken).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await waiting
    expect(woken).toBe(true)
  })
})
