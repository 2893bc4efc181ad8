import type { Clock } from '../../clock.js'
import { ConfigError } from '../../errors.js'
import type { ResolvedTopicConfig, TopicConfig } from '../types.js'

/**
 * When appended bytes are forced to disk.
 * - `'fsync'`: every append is fsynced before it is acknowledged (survives power loss).
 * - `{ fsyncIntervalMs }`: fsynced at most this long after the append (survives a process crash,
 *   loses at most that window on power loss).
 * - `'none'`: left to the operating system (survives a process crash, not power loss).
 */
export type Durability = 'fsync' | 'none' | { readonly fsyncIntervalMs: number }

/** Where warnings go; defaults to stderr. */
export interface LogLogger {
  warn(message: string): void
}

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
}

const DAY_MS = 24 * 60 * 60 * 1000

export const DEFAULT_TOPIC_CONFIG: Omit<ResolvedTopicConfig, 'partitions'> = {
  cleanup: 'delete',
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * DAY_MS,
  maxRecordBytes: 1024 * 1024 + 12,
  deleteRetentionMs: DAY_MS,
}

/** Fills in defaults and checks every field, naming the one that is wrong. */
export function resolveTopicConfig(config: TopicConfig): ResolvedTopicConfig {
  const resolved: ResolvedTopicConfig = {
    partitions: config.partitions,
    cleanup: config.cleanup ?? DEFAULT_TOPIC_CONFIG.cleanup,
    retentionMs: config.retentionMs ?? DEFAULT_TOPIC_CONFIG.retentionMs,
    retentionBytes: config.retentionBytes ?? DEFAULT_TOPIC_CONFIG.retentionBytes,
    segmentBytes: config.segmentBytes ?? DEFAULT_TOPIC_CONFIG.segmentBytes,
    segmentMs: config.segmentMs ?? DEFAULT_TOPIC_CONFIG.segmentMs,
    maxRecordBytes: config.maxRecordBytes ?? DEFAULT_TOPIC_CONFIG.maxRecordBytes,
    deleteRetentionMs: config.deleteRetentionMs ?? DEFAULT_TOPIC_CONFIG.deleteRetentionMs,
  }
  requireInteger('partitions', resolved.partitions, 1, 100_000)
  if (resolved.cleanup !== 'delete' && resolved.cleanup !== 'compact') {
    throw new ConfigError('cleanup', `must be "delete" or "compact", got ${JSON.stringify(resolved.cleanup)}`)
  }
  requireInteger('retentionMs', resolved.retentionMs, -1, Number.MAX_SAFE_INTEGER)
  requireInteger('retentionBytes', resolved.retentionBytes, -1, Number.MAX_SAFE_INTEGER)
  requireInteger('segmentBytes', resolved.segmentBytes, 1024, 2 ** 31 - 1)
  requireInteger('segmentMs', resolved.segmentMs, 1, Number.MAX_SAFE_INTEGER)
  requireInteger('maxRecordBytes', resolved.maxRecordBytes, 64, 2 ** 30)
  requireInteger('deleteRetentionMs', resolved.deleteRetentionMs, 0, Number.MAX_SAFE_INTEGER)
  return resolved
}

function requireInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
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
