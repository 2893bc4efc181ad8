/**
 * The log contract suite: one set of tests that every `Log` backend passes, unchanged
 * (the embedded log, Apache Kafka through kafkajs). Semantics follow Apache Kafka.
 *
 * @example
 * logContractSuite('embedded', async () => {
 *   const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-'))
 *   const log = await openEmbeddedLog({ dir })
 *   return { log, destroy: async () => { await log.close(); fs.rmSync(dir, { recursive: true }) } }
 * }, { reopen: true, headerOrderAcrossKeys: true })
 */
import { describe } from 'vitest'
import type { Log } from '../../../core/log/types.js'
import { closeTests } from './close.js'
import { consumerTests } from './consumer.js'
import { deleteRecordsTests } from './delete-records.js'
import { TEST_TIMEOUT_MS, useContractContext } from './context.js'
import { durabilityTests } from './durability.js'
import { fencingTests } from './fencing.js'
import { groupTests } from './groups.js'
import { producerTests } from './producer.js'
import { topicTests } from './topics.js'
import { transactionTests } from './transactions.js'

export interface LogUnderTest {
  readonly log: Log
  /** Closes the log and opens it again on the same data (only backends that support it). */
  reopen?(): Promise<Log>
  /** Closes everything and removes the data/topics. */
  destroy(): Promise<void>
}

/** What a backend can do beyond the common contract; tests of the rest run only where it can. */
export interface LogSupports {
  readonly reopen: boolean
  /**
   * Headers come back in the order written across different keys (`a, b, a`), as Kafka stores
   * them. kafkajs keeps headers as an object of key → values, so through it only each key's own
   * values keep their order (`a, b, a` comes back `a, a, b`).
   */
  readonly headerOrderAcrossKeys: boolean
}

export function logContractSuite(name: string, factory: () => Promise<LogUnderTest>, supports: LogSupports): void {
  describe(`${name} log contract`, { timeout: TEST_TIMEOUT_MS }, () => {
    const context = useContractContext(factory)
    describe('topics', () => topicTests(context))
    describe('producer', () => producerTests(context, supports))
    describe('consumer (assigned partitions)', () => consumerTests(context))
    describe('consumer groups', () => groupTests(context))
    describe('deleteRecords', () => deleteRecordsTests(context))
    describe('transactions', () => transactionTests(context))
    describe('transaction fencing', () => fencingTests(context))
    // Registered only where the backend can reopen its data, so no test shows as skipped elsewhere.
    if (supports.reopen) describe('durability across reopen', () => durabilityTests(context))
    describe('close', () => closeTests(context))
  })
}
