import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { retryConcurrentTransactions } from '../../../core/log/kafka/concurrent-transactions.js'
import { kafkajsFixesApplied } from '../../../core/log/kafka/kafkajs-fixes.js'

const require = createRequire(import.meta.url)

/** An error shaped as kafkajs's KafkaJSProtocolError for `type`. */
const protocolError = (type: string): Error => Object.assign(new Error(type), { type })

/** A call failing with each of `failures` in turn, then resolving 'added'; it counts its calls. */
function failingThen(failures: readonly Error[]): { call: () => Promise<string>; calls: () => number } {
  let calls = 0
  return {
    call: async () => {
      const failure = failures[calls++]
      if (failure !== undefined) throw failure
      return 'added'
    },
    calls: () => calls,
  }
}

describe('retryConcurrentTransactions', () => {
  it('retries CONCURRENT_TRANSACTIONS after a short backoff, doubling up to 20 ms, until the coordinator takes the request', async () => {
    const waits: number[] = []
    const { call, calls } = failingThen(Array.from({ length: 6 }, () => protocolError('CONCURRENT_TRANSACTIONS')))
    expect(await retryConcurrentTransactions(call, { wait: async (ms) => waits.push(ms) })).toBe('added')
    expect(calls()).toBe(7)
    expect(waits).toEqual([2, 4, 8, 16, 20, 20])
  })

  it('throws any other error at once, for kafkajs to handle as before', async () => {
    const { call, calls } = failingThen([protocolError('NOT_COORDINATOR')])
    await expect(retryConcurrentTransactions(call, { wait: async () => undefined })).rejects.toMatchObject({ type: 'NOT_COORDINATOR' })
    expect(calls()).toBe(1)
  })

  it('gives the answer to kafkajs once its quick retries are spent', async () => {
    const { call, calls } = failingThen(Array.from({ length: 10 }, () => protocolError('CONCURRENT_TRANSACTIONS')))
    await expect(retryConcurrentTransactions(call, { retries: 3, wait: async () => undefined })).rejects.toMatchObject({ type: 'CONCURRENT_TRANSACTIONS' })
    expect(calls()).toBe(4)
  })

  it("is in kafkajs's AddPartitionsToTxn once Tributary is loaded", () => {
    expect(kafkajsFixesApplied()).toBe(true)
    const Broker = require('kafkajs/src/broker/index.js') as { prototype: { addPartitionsToTxn: { retriesConcurrentTransactions?: boolean } } }
    expect(Broker.prototype.addPartitionsToTxn.retriesConcurrentTransactions).toBe(true)
  })
})
