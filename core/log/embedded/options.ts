import type { Clock } from '../../clock.js'
import { ConfigError } from '../../errors.js'
import type { LogLogger } from '../engine/logger.js'
import { requireInteger } from '../engine/topic-config.js'
import { DEFAULT_COMPACTION_BUFFER_BYTES } from './compaction.js'

const MIN_COMPACTION_BUFFER_BYTES = 4096

/**
 * When appended bytes are forced to disk.
 * - `'fsync'`: every append is fsynced before it is acknowledged (survives power loss).
 * - `{ fsyncIntervalMs }`: fsynced at most this long after the append (survives a process crash,
 *   loses at most that window on power loss).
 * - `'none'`: left to the operating system (survives a process crash, not power loss).
 */
export type Durability = 'fsync' | 'none' | { readonly fsyncIntervalMs: number }

export interface EmbeddedLogOptions {
  /** The data directory; created when missing. */
  readonly dir: string
  /** Opens beside a running writer: reads only, no lock, no recovery writes. */
  readonly readOnly?: boolean
  /** Default `'fsync'`: an acknowledged record survives a crash and power loss. */
  readonly durability?: Durability
  readonly clock?: Clock
  readonly logger?: LogLogger
  /** How often retention and compaction run. Default 30 s; 0 disables the background run. */
  readonly maintenanceIntervalMs?: number
  /**
   * The most memory compaction's key → offset map may take (Kafka's dedupe buffer). A partition
   * with more keys than fit is compacted in several passes. Default 64 MiB; at least 4 KiB.
   */
  readonly compactionBufferBytes?: number
}

/**
 * Checks the compaction buffer option; returns it or the default.
 *
 * @example
 * resolveCompactionBufferBytes(undefined) // 67108864
 * resolveCompactionBufferBytes(100)       // throws ConfigError (compactionBufferBytes)
 */
export function resolveCompactionBufferBytes(bytes: number | undefined): number {
  if (bytes === undefined) return DEFAULT_COMPACTION_BUFFER_BYTES
  requireInteger('compactionBufferBytes', bytes, MIN_COMPACTION_BUFFER_BYTES, 2 ** 31 - 1)
  return bytes
}

/** Checks the durability option. */
export function validateDurability(durability: Durability): void {
  if (durability === 'fsync' || durability === 'none') return
  if (typeof durability === 'object' && durability !== null) {
    requireInteger('durability.fsyncIntervalMs', durability.fsyncIntervalMs, 1, 3_600_000)
    return
  }
  throw new ConfigError('durability', `must be "fsync", "none" or { fsyncIntervalMs }, got ${JSON.stringify(durability)}`)
}
