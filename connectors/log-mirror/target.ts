import { ConfigError } from '../../core/errors.js'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import { openKafkaLog } from '../../core/log/kafka/index.js'
import type { Log } from '../../core/log/types.js'

/** Where the mirror writes: an embedded log's data directory, or a Kafka cluster's brokers. */
export type MirrorTarget = { readonly data: string } | { readonly kafka: string }

/**
 * Checks the `target` setting: `{ "data": "DIR" }` or `{ "kafka": "host:port,host:port" }`.
 *
 * @example
 * parseTarget({ kafka: 'kafka-1:9092,kafka-2:9092' }) // { kafka: 'kafka-1:9092,kafka-2:9092' }
 */
export function parseTarget(target: object): MirrorTarget {
  const entries = Object.entries(target)
  const [kind, value] = entries[0] ?? []
  if (entries.length !== 1 || (kind !== 'data' && kind !== 'kafka') || typeof value !== 'string' || value === '') {
    throw new ConfigError('target', 'must be {"data": "DIR"} (an embedded log) or {"kafka": "host:port,..."} (a Kafka cluster)')
  }
  return kind === 'data' ? { data: value } : { kafka: value }
}

/**
 * Opens the target log. A directory the source's own process has open cannot be the target:
 * one process writes a data directory.
 *
 * @example
 * const log = await openTarget({ data: './mirror-data' }, 'mirror')
 */
export async function openTarget(target: MirrorTarget, connectorName: string): Promise<Log> {
  if ('data' in target) return openEmbeddedLog({ dir: target.data })
  return openKafkaLog({ brokers: target.kafka, clientId: `tributary-mirror-${connectorName}` })
}

/** How a target is shown in logs: the directory or the brokers. */
export function describeTarget(target: MirrorTarget): string {
  return 'data' in target ? `embedded log ${target.data}` : `Kafka ${target.kafka}`
}
