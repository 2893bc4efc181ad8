/** Data directories for the bad-input tests: a scratch root per test, logs closed after it, trees compared. */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach } from 'vitest'
import { openEmbeddedLog, type EmbeddedLogOptions, type Log, type LogRecord } from '../../index.js'
import { tempDirPerTest } from '../runtime/helpers.js'

export type OpenedLog = Awaited<ReturnType<typeof openEmbeddedLog>>

export interface Scratch {
  /** A fresh root holding `data/` (the data directory, not yet created) and `outside/` (created). */
  readonly make: () => { readonly root: string; readonly data: string; readonly outside: string }
  /** Opens the embedded log on `dir` with warnings collected in `warnings`; closed after the test. */
  readonly open: (dir: string, warnings?: string[], options?: Partial<EmbeddedLogOptions>) => Promise<OpenedLog>
}

/** Registers the afterEach that closes what the test opened and removes its directories. */
export function scratchPerTest(): Scratch {
  const tempDir = tempDirPerTest('bad-input')
  const opened: OpenedLog[] = []
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close()
  })
  return {
    make: () => {
      const root = tempDir()
      const outside = path.join(root, 'outside')
      fs.mkdirSync(outside)
      return { root, data: path.join(root, 'data'), outside }
    },
    open: async (dir, warnings = [], options = {}) => {
      const log = await openEmbeddedLog({
        dir,
        durability: 'none',
        maintenanceIntervalMs: 0,
        logger: { warn: (message) => warnings.push(message) },
        ...options,
      })
      opened.push(log)
      return log
    },
  }
}

/**
 * Every entry under `dir`, without following links: a directory, a link and its target, or a
 * file's size and SHA-256. Two equal trees mean nothing was created, changed or removed.
 */
export function treeOf(dir: string): Record<string, string> {
  const tree: Record<string, string> = {}
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name)
      const name = path.relative(dir, full)
      if (entry.isSymbolicLink()) tree[name] = `link to ${fs.readlinkSync(full)}`
      else if (entry.isDirectory()) {
        tree[name] = 'directory'
        walk(full)
      } else {
        const contents = fs.readFileSync(full)
        tree[name] = `${contents.length} bytes ${createHash('sha256').update(contents).digest('hex')}`
      }
    }
  }
  walk(dir)
  return tree
}

/** Sends `count` records of 100 bytes to one partition, one batch each, timestamps from `firstTimestamp`. */
export async function sendRecords(log: Log, topic: string, count: number, firstTimestamp = 1_700_000_000_000): Promise<void> {
  const producer = log.producer()
  for (let i = 0; i < count; i++) {
    await producer.send([{ topic, partition: 0, value: Buffer.alloc(100, i), timestamp: firstTimestamp + i }])
  }
}

/** Reads partition 0 of `topic` from the start with polls of `maxRecords`, until a poll is empty. */
export async function readPartition0(log: Log, topic: string, maxRecords?: number): Promise<LogRecord[]> {
  const consumer = log.consumer()
  await consumer.assign([{ topic, partition: 0 }])
  const records: LogRecord[] = []
  try {
    for (;;) {
      const batch = await consumer.poll(maxRecords === undefined ? {} : { maxRecords })
      if (batch.length === 0) return records
      records.push(...batch)
    }
  } finally {
    await consumer.close()
  }
}

/** What `action` threw (it must throw). */
export async function errorOf(action: () => unknown): Promise<unknown> {
  try {
    await action()
  } catch (error) {
    return error
  }
  throw new Error('expected an error, nothing was thrown')
}
