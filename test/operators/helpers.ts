/**
 * Shared plumbing of the operator and runtime tests: a TestDriver per test, closed after it,
 * and promises that a test settles by hand to choose the order async work finishes in.
 */
import { afterEach } from 'vitest'
import { TestDriver, type App, type TestDriverOptions } from '../../index.js'

/** Registers an afterEach that closes every driver the returned `start` opened in the test. */
export function driverPerTest(): (setup: (app: App) => void, options?: TestDriverOptions) => Promise<TestDriver> {
  const open: TestDriver[] = []
  afterEach(async () => {
    for (const driver of open.splice(0)) await driver.close()
  })
  return async (setup, options = {}) => {
    const driver = await TestDriver.start(setup, options)
    open.push(driver)
    return driver
  }
}

/** A promise with its resolve and reject in hand, and the input it was made for. */
export interface Pending<I, O> {
  readonly input: I
  readonly promise: Promise<O>
  resolve(output: O): void
  reject(error: unknown): void
}

/** An async function whose calls wait until the test settles them; `calls` lists them in call order. */
export class ManualAsync<I, O> {
  readonly calls: Pending<I, O>[] = []
  readonly fn = (input: I): Promise<O> => {
    let resolve!: (output: O) => void
    let reject!: (error: unknown) => void
    const promise = new Promise<O>((res, rej) => {
      resolve = res
      reject = rej
    })
    this.calls.push({ input, promise, resolve, reject })
    return promise
  }

  /** The call made for `input` (the first one). */
  callFor(input: I): Pending<I, O> {
    const call = this.calls.find((candidate) => candidate.input === input)
    if (call === undefined) throw new Error(`no call for ${String(input)} yet; calls: ${this.calls.map((c) => String(c.input)).join(', ')}`)
    return call
  }

  /** Resolves once `count` calls were made (turning the event loop, never waiting on time). */
  async started(count: number): Promise<void> {
    await turnsUntil(() => this.calls.length >= count, `${count} calls (made ${this.calls.length})`)
  }
}

/** Turns the event loop until `condition` holds; throws after 10,000 turns. */
export async function turnsUntil(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 10_000; turn++) {
    if (condition()) return
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  throw new Error(`gave up waiting for ${what}`)
}
