/**
 * TopicConfig as Kafka topic configs, and back. Only settings a caller gives are sent at
 * creation, so the broker's defaults (Kafka's, unless an operator changed them) fill the rest,
 * and describe reads what the broker actually holds.
 */
import './kafkajs-fixes.js'
import kafkajs, { type Admin, type ConfigEntries } from 'kafkajs'
import type { ResolvedTopicConfig, TopicConfig } from '../types.js'
import { toLogError } from './errors.js'

type ConfiguredField = Exclude<keyof ResolvedTopicConfig, 'partitions'>

/** Each TopicConfig field and the Kafka topic config it is. */
const KAFKA_NAMES: Readonly<Record<ConfiguredField, string>> = {
  cleanup: 'cleanup.policy',
  retentionMs: 'retention.ms',
  retentionBytes: 'retention.bytes',
  segmentBytes: 'segment.bytes',
  segmentMs: 'segment.ms',
  maxRecordBytes: 'max.message.bytes',
  deleteRetentionMs: 'delete.retention.ms',
}

const FIELDS = Object.keys(KAFKA_NAMES) as ConfiguredField[]

/** A topic's settings as the broker holds them; `cleanupPolicy` is Kafka's own value (it may list both policies). */
export interface KafkaTopicSettings {
  readonly config: ResolvedTopicConfig
  readonly cleanupPolicy: string
}

/**
 * The Kafka config entries for the settings given (unlimited retention is -1 in both).
 *
 * @example
 * configEntriesOf({ partitions: 3, cleanup: 'compact', retentionMs: -1 })
 * // [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '-1' }]
 */
export function configEntriesOf(config: TopicConfig): { name: string; value: string }[] {
  const entries: { name: string; value: string }[] = []
  for (const field of FIELDS) {
    const value = config[field]
    if (value !== undefined) entries.push({ name: KAFKA_NAMES[field], value: String(value) })
  }
  if (config.minInsyncReplicas !== undefined) entries.push({ name: 'min.insync.replicas', value: String(config.minInsyncReplicas) })
  return entries
}

/**
 * Reads a topic's configs from the broker; `partitions` comes from its metadata.
 *
 * @example
 * const { config } = await readTopicSettings(admin, 'orders', 3) // config.retentionMs === 604800000
 */
export async function readTopicSettings(admin: Admin, topic: string, partitions: number): Promise<KafkaTopicSettings> {
  let entries: ConfigEntries[]
  try {
    const { resources } = await admin.describeConfigs({
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: FIELDS.map((field) => KAFKA_NAMES[field]) }],
      includeSynonyms: false,
    })
    entries = resources[0]?.configEntries ?? []
  } catch (error) {
    throw toLogError(error, { operation: 'describeTopic', topic })
  }
  const values = new Map(entries.map((entry) => [entry.configName, entry.configValue]))
  const cleanupPolicy = values.get(KAFKA_NAMES.cleanup) ?? 'delete'
  const numberOf = (field: ConfiguredField): number => Number(values.get(KAFKA_NAMES[field]))
  return {
    cleanupPolicy,
    config: {
      partitions,
      cleanup: cleanupPolicy.split(',').includes('compact') ? 'compact' : 'delete',
      retentionMs: numberOf('retentionMs'),
      retentionBytes: numberOf('retentionBytes'),
      segmentBytes: numberOf('segmentBytes'),
      segmentMs: numberOf('segmentMs'),
      maxRecordBytes: numberOf('maxRecordBytes'),
      deleteRetentionMs: numberOf('deleteRetentionMs'),
    },
  }
}
