import fs from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from './files.js'

/** The file in a partition directory that keeps its log start offset (Kafka's log-start-offset-checkpoint). */
export const LOG_START_OFFSET_FILE = 'log-start-offset.checkpoint'

/**
 * The log start offset a partition directory keeps, or undefined when it keeps none (nothing was
 * ever deleted by offset: the start is then its first segment's base) or the file is unreadable.
 *
 * @example
 * const start = Math.max(readLogStartOffset(dir) ?? 0, firstSegment.baseOffset)
 */
export function readLogStartOffset(dir: string): number | undefined {
  try {
    const value = Number(fs.readFileSync(path.join(dir, LOG_START_OFFSET_FILE), 'utf8').trim())
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * Keeps `offset` as the partition's log start offset, atomically (written to a temporary file
 * and renamed over the old one) before any segment below it is removed, so a crash leaves the old
 * start or the new one. With `durable` the file and the directory are fsynced too, so the new
 * start also survives a power cut; without it (the log's `'none'` durability) it survives a
 * process crash, as appends do.
 *
 * @example
 * writeLogStartOffset(partition.dir, 1200, { durable: true })
 */
export function writeLogStartOffset(dir: string, offset: number, options: { durable: boolean }): void {
  writeFileAtomic(path.join(dir, LOG_START_OFFSET_FILE), `${offset}\n`, options)
}
