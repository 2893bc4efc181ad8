import { ConfigError } from '../../errors.js'
import { InvalidTopicNameError } from '../errors.js'
import { validateTopicName } from '../topic-name.js'
import type { ResolvedTopicConfig, TopicConfig } from '../types.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** Kafka's defaults for every setting a topic is created without. */
export const DEFAULT_TOPIC_CONFIG: Omit<ResolvedTopicConfig, 'partitions'> = {
  cleanup: 'delete',
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * DAY_MS,
  maxRecordBytes: 1024 * 1024 + 12,
  deleteRetentionMs: DAY_MS,
}

/**
 * Checks what `createTopic` is given, before anything is created: the name (Kafka's rule, and
 * `__` names only for the log's own topics), then every setting. Returns the resolved config.
 *
 * @example
 * const config = checkNewTopic('orders', { partitions: 3 }) // { partitions: 3, cleanup: 'delete', … }
 * checkNewTopic('__consumer_offsets', { partitions: 1 })      // throws InvalidTopicNameError
 */
export function checkNewTopic(name: string, config: TopicConfig, internal = false): ResolvedTopicConfig {
  validateTopicName(name)
  if (!internal && name.startsWith('__')) {
    throw new InvalidTopicNameError(name, 'names starting with "__" are reserved for the log\'s internal topics')
  }
  return resolveTopicConfig(config)
}

/**
 * Fills in defaults and checks every field, naming the one that is wrong.
 *
 * @example
 * resolveTopicConfig({ partitions: 2, cleanup: 'compact' }).retentionMs // 604800000
 * resolveTopicConfig({ partitions: 0 })                                 // throws ConfigError (partitions)
 */
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

/**
 * Throws ConfigError naming `field` unless `value` is an integer in `[min, max]`.
 *
 * @example
 * requireInteger('durability.fsyncIntervalMs', 0, 1, 3_600_000) // throws ConfigError
 */
export function requireInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
}
