import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { openEmbeddedLog, type EmbeddedLogOptions } from '../../../core/log/embedded/index.js'
import type { Consumer, LogRecord } from '../../../core/log/types.js'

/** A temp data directory removed after the test, and logs opened on it closed. */
export function useDataDir(): { dir: () => string; open: (options?: Partial<EmbeddedLogOptions>) => ReturnType<typeof openEmbeddedLog> } {
  let dir: string | undefined
  const opened: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close()
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })
  const getDir = (): string => (dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-log-')))
  return {
    dir: getDir,
    open: async (options = {}) => {
      const log = await openEmbeddedLog({ dir: getDir(), durability: 'none', maintenanceIntervalMs: 0, ...options })
      opened.push(log)
      return log
    },
  }
}

/** Reads a whole topic-partition from the start with an assigned consumer. */
export async function readAll(consumer: Consumer, topic: string, partition = 0): Promise<LogRecord[]> {
  await consumer.assign([{ topic, partition }])
  await consumer.seekToBeginning()
  const records: LogRecord[] = []
  for (;;) {
    const batch = await consumer.poll({ maxRecords: 10_000 })
    if (batch.length === 0) return records
    records.push(...batch)
  }
}
