/** Plumbing of the runtime tests on the embedded log: temp dirs, waiting on conditions, reading topics. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { openEmbeddedLog, type IsolationLevel, type Log, type LogRecord } from '../../index.js'

/** Registers an afterEach that removes every dir the returned function made in the test. */
export function tempDirPerTest(prefix: string): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tributary-${prefix}-`))
    dirs.push(dir)
    return dir
  }
}

/**
 * Resolves once `condition` holds, checking every few milliseconds; throws after `timeoutMs`.
 * It waits for a state (records processed, a commit made), never for a length of time.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Every record of a topic, partition by partition, as a consumer with this isolation sees it. */
export async function readTopic(log: Log, topic: string, isolation: IsolationLevel = 'read_committed'): Promise<LogRecord[]> {
  const { partitions } = await log.describeTopic(topic)
  const consumer = log.consumer({ isolation })
  try {
    await consumer.assign(partitions.map(({ partition }) => ({ topic, partition })))
    const records: LogRecord[] = []
    for (let batch = await consumer.poll(); batch.length > 0; batch = await consumer.poll()) records.push(...batch)
    return records
  } finally {
    await consumer.close()
  }
}

/** A group's committed offsets for every partition of a topic (undefined where none). */
export async function committedOffsets(log: Log, groupId: string, topic: string): Promise<(number | undefined)[]> {
  const { partitions } = await log.describeTopic(topic)
  const consumer = log.consumer({ groupId })
  try {
    return await consumer.committed(partitions.map(({ partition }) => ({ topic, partition })))
  } finally {
    await consumer.close()
  }
}

/** The end offset of every partition of a topic. */
export async function endOffsets(log: Log, topic: string): Promise<number[]> {
  return (await log.describeTopic(topic)).partitions.map((partition) => partition.endOffset)
}

/** Opens the embedded log in `dir` (durability none), hands it to `use`, and closes it. */
export async function withLog<T>(dir: string, use: (log: Log) => Promise<T>): Promise<T> {
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  try {
    return await use(log)
  } finally {
    await log.close()
  }
}
