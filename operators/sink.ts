import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Serde } from '../core/serde/types.js'
import { describeOperator, operatorInfo } from '../core/runtime/topology.js'
import type { SinkSerde } from '../core/runtime/stream.js'
import type { ConfigSchema } from '../connectors/api/config-schema.js'
import { connectorService } from '../connectors/runner/connector-service.js'
import { resolveSerde } from '../connectors/runner/serde-spec.js'
import { topicAt } from '../connectors/runner/resolved-spec.js'
import type { SinkSpec } from '../connectors/runner/spec.js'
import { to } from './to.js'

/** A sink connector declared in a pipeline: as `SinkSpec`, with the topic it reads from made for it. */
export type PipelineSinkSpec<S extends ConfigSchema, K, V, CK = K, CV = V> = Omit<SinkSpec<S, CK, CV>, 'topics' | 'key' | 'value'> & {
  /** The topic between the app and the connector. Default `connect-<name>`. */
  readonly topic?: string
  readonly key?: Serde<NonNullable<K>>
  readonly value?: Serde<NonNullable<V>>
}

/**
 * Hands each record to a sink connector that runs with the app: the records go to a topic
 * (`connect-<name>` by default) at the app's commit, and the connector, started with the app on
 * the app's log, reads that topic and commits its offsets only after its target has flushed.
 * So a crash anywhere loses nothing, and the app never waits on the target.
 *
 * @example
 * orders.pipe(
 *   filter((r) => r.value.status === 'paid'),
 *   sink({ name: 'paid-orders-db', connector: postgresSink, config: { table: 'paid_orders', keyColumns: ['id'], ... } }),
 * )
 */
export function sink<K, V, S extends ConfigSchema = ConfigSchema, CK = K, CV = V>(spec: PipelineSinkSpec<S, K, V, CK, CV>): OperatorFunction<StreamRecord<K, V>, never> {
  const topic = topicAt(spec.topic ?? `connect-${spec.name}`, `connectors.${spec.name}.topic`)
  const key = spec.key ?? resolveSerde(undefined, spec.connector.serdes?.key ?? 'string', `connectors.${spec.name}.key`)
  const value = spec.value ?? resolveSerde(undefined, spec.connector.serdes?.value ?? 'json', `connectors.${spec.name}.value`)
  const { topic: _topic, ...rest } = spec
  const service = connectorService({ ...rest, topics: [topic], key, value } as unknown as SinkSpec)
  const operator = to<K, V>(topic, { key: key as SinkSerde<K>, value: value as SinkSerde<V> })
  return describeOperator(operator, { ...operatorInfo(operator)!, name: `sink ${spec.name} (${spec.connector.name}) via ${topic}`, services: [service] })
}
