/** The log contract suite against the memory log: a fresh log per test, on the system clock. */
import { createMemoryLog } from '../../../core/log/memory/index.js'
import { type LogUnderTest, logContractSuite } from './suite.js'

async function memoryLogUnderTest(): Promise<LogUnderTest> {
  const log = createMemoryLog()
  return { log, destroy: () => log.close() }
}

logContractSuite('memory', memoryLogUnderTest, { reopen: false, headerOrderAcrossKeys: true })
