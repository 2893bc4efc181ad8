/** The log contract suite against the embedded log: a fresh data directory per test. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { type LogUnderTest, logContractSuite } from './suite.js'

async function embeddedLogUnderTest(): Promise<LogUnderTest> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-contract-'))
  let log = await openEmbeddedLog({ dir })
  return {
    get log() {
      return log
    },
    async reopen() {
      await log.close()
      log = await openEmbeddedLog({ dir })
      return log
    },
    async destroy() {
      try {
        await log.close()
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

logContractSuite('embedded', embeddedLogUnderTest, { reopen: true, headerOrderAcrossKeys: true })
