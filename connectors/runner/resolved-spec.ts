import { ConfigError } from '../../core/errors.js'
import { validateTopicName } from '../../core/log/topic-name.js'
import type { Serde } from '../../core/serde/types.js'
import { toMillis } from '../../core/time/duration.js'
import { parseConfig, secretsOf } from '../api/config-schema.js'
import type { Secret } from '../api/secret.js'
import type { SinkConnector, SourceConnector } from '../api/types.js'
import { resolveRetry, type RetryPolicy } from './retry.js'
import { resolveSerde } from './serde-spec.js'
import type { ConnectorSpec } from './spec.js'

const NAME = /^[a-zA-Z0-9._-]{1,200}$/

/** A spec checked, with its config parsed against the connector's schema and every default filled in. */
export interface ResolvedSpec {
  readonly name: string
  readonly connector: SourceConnector<never, unknown, unknown> | SinkConnector<never, unknown, unknown>
  readonly config: object
  readonly secrets: readonly Secret[]
  readonly key: Serde<unknown>
  readonly value: Serde<unknown>
  readonly deadLetterTopic: string | undefined
  readonly retry: RetryPolicy
  readonly commitIntervalMs: number
}

/**
 * Checks a connector spec and parses its config; every problem is a ConfigError naming the field
 * (`connectors.orders-file.config.path`).
 *
 * @example
 * const resolved = resolveSpec({ name: 'orders-file', connector: fileSource, topic: 'orders', config: { path: 'in.jsonl' } })
 */
export function resolveSpec(spec: ConnectorSpec): ResolvedSpec {
  const name: unknown = spec.name
  if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigError('connectors[].name', `must be 1 to 200 characters of [a-zA-Z0-9._-] (it names offsets and a consumer group), got ${JSON.stringify(name)}`)
  const at = `connectors.${name}`
  const connector = spec.connector as ResolvedSpec['connector']
  if (typeof connector !== 'object' || connector === null || (connector.kind !== 'source' && connector.kind !== 'sink') || typeof connector.start !== 'function') {
    throw new ConfigError(`${at}.connector`, 'must be a connector made with defineSource or defineSink')
  }
  if (spec.deadLetterTopic !== undefined) topicAt(spec.deadLetterTopic, `${at}.deadLetterTopic`)
  const config = parseConfig(connector.config, spec.config ?? {}, `${at}.config`)
  const commitIntervalMs = toMillis(spec.commitInterval ?? 1_000, `${at}.commitInterval`)
  if (commitIntervalMs < 1) throw new ConfigError(`${at}.commitInterval`, 'must be at least 1 ms')
  return {
    name,
    connector,
    config,
    secrets: secretsOf(config),
    key: resolveSerde(spec.key, connector.serdes?.key ?? 'string', `${at}.key`),
    value: resolveSerde(spec.value, connector.serdes?.value ?? 'json', `${at}.value`),
    deadLetterTopic: spec.deadLetterTopic,
    retry: resolveRetry(spec.retries, `${at}.retries`),
    commitIntervalMs,
  }
}

/** Checks a topic name from a spec, naming the field when it is wrong. */
export function topicAt(topic: unknown, field: string): string {
  try {
    validateTopicName(topic)
    return topic
  } catch (error) {
    throw new ConfigError(field, (error as Error).message)
  }
}
