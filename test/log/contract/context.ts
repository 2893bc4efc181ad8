/**
 * The per-test world of the contract suite: a fresh log from the factory before each test,
 * and after it every producer and consumer the test opened is closed and the log destroyed.
 */
import { afterEach, beforeEach } from 'vitest'
import type { Consumer, ConsumerOptions, Log, Producer, ProducerOptions } from '../../../core/log/types.js'
import type { LogUnderTest } from './suite.js'

/** Generous, so that a real broker (group joins, transaction markers) fits too. */
export const TEST_TIMEOUT_MS = 60_000

export interface ContractContext {
  /** The log of the running test; a new one after `reopen`. */
  readonly log: Log
  /** A producer that is closed after the test. */
  producer(options?: ProducerOptions): Producer
  /** A consumer that is closed after the test. */
  consumer(options?: ConsumerOptions): Consumer
  /**
   * Closes and reopens the log on the same data. The test's clients are not closed first:
   * closing the log with clients (and transactions) still open is part of what is tested.
   */
  reopen(): Promise<Log>
}

/** Registers the hooks and returns the context tests read inside their bodies. */
export function useContractContext(factory: () => Promise<LogUnderTest>): ContractContext {
  let under: LogUnderTest | undefined
  let log: Log | undefined
  let clients: { close(): Promise<void> }[] = []

  async function closeClients(): Promise<void> {
    const open = clients
    clients = []
    // A test may have closed some itself, or a reopen may have closed them: errors are expected here.
    await Promise.all(open.map((client) => client.close().catch(() => undefined)))
  }

  beforeEach(async () => {
    under = await factory()
    log = under.log
  }, TEST_TIMEOUT_MS)

  afterEach(async () => {
    await closeClients()
    const current = under
    under = undefined
    log = undefined
    await current?.destroy()
  }, TEST_TIMEOUT_MS)

  function currentLog(): Log {
    if (log === undefined) throw new Error('the contract context is only available inside a test')
    return log
  }

  return {
    get log() {
      return currentLog()
    },
    producer(options) {
      const producer = currentLog().producer(options)
      clients.push(producer)
      return producer
    },
    consumer(options) {
      const consumer = currentLog().consumer(options)
      clients.push(consumer)
      return consumer
    },
    async reopen() {
      const reopen = under?.reopen
      if (under === undefined || reopen === undefined) throw new Error('this backend cannot reopen its log')
      log = await reopen.call(under)
      return log
    },
  }
}
