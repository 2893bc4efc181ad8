import fs from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from './files.js'

/** The file in a partition directory that keeps its recovery point (Kafka's recovery-point-offset-checkpoint). */
export const RECOVERY_POINT_FILE = 'recovery-point.checkpoint'

/**
 * The offset below which a partition's data is known to be on disk (synced), or 0 when the
 * directory keeps none or the file is unreadable: every segment that ends past it may have been
 * torn by a power cut, and is checked batch by batch on open.
 *
 * @example
 * const verifyFrom = readRecoveryPoint(dir)
 */
export function readRecoveryPoint(dir: string): number {
  try {
    const value = Number(fs.readFileSync(path.join(dir, RECOVERY_POINT_FILE), 'utf8').trim())
    return Number.isSafeInteger(value) && value >= 0 ? value : 0
  } catch {
    return 0
  }
}

/**
 * Keeps `offset` as the partition's recovery point, atomically. Not fsynced: a recovery point lost
 * to a power cut is an older one, which only means more to check on the next open.
 *
 * @example
 * writeRecoveryPoint(partition.dir, sealed.nextOffset)
 */
export function writeRecoveryPoint(dir: string, offset: number): void {
  writeFileAtomic(path.join(dir, RECOVERY_POINT_FILE), `${offset}\n`, { durable: false })
}
