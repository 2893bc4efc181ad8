import { ConfigError } from '../../core/errors.js'
import type { ConfigOf, ConfigSchema } from './config-schema.js'
import type { SerdeName, SinkConnector, SinkContext, SinkTask, SourceConnector, SourceContext, SourceTask } from './types.js'

interface SourceDefinition<S extends ConfigSchema, K, V> {
  readonly name: string
  readonly description?: string
  readonly config: S
  readonly serdes?: { readonly key?: SerdeName; readonly value?: SerdeName }
  start(config: ConfigOf<S>, context: SourceContext<K, V>): Promise<SourceTask<K, V>> | SourceTask<K, V>
}

interface SinkDefinition<S extends ConfigSchema, K, V> {
  readonly name: string
  readonly description?: string
  readonly config: S
  readonly serdes?: { readonly key?: SerdeName; readonly value?: SerdeName }
  start(config: ConfigOf<S>, context: SinkContext<K, V>): Promise<SinkTask<K, V>> | SinkTask<K, V>
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/

function checkName(name: unknown): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigError('connector.name', `must be 1 to 100 characters of [a-z0-9._-], got ${JSON.stringify(name)}`)
}

/**
 * Defines a source connector: its config schema and how to start it. The runner checks the
 * config against the schema before `start`, stores the offsets each poll reports, and resumes
 * from them after a restart. A plugin package exports what this returns.
 *
 * @example
 * export default defineSource({
 *   name: 'counter',
 *   config: { topic: field.string(), every: field.duration({ default: '1s' }) },
 *   start(config, context) {
 *     let next = Number(context.offset({ counter: 0 })?.next ?? 0)
 *     return { async poll() { const n = next++; return { records: [{ value: { n } }], offsets: [{ partition: { counter: 0 }, offset: { next } }] } } }
 *   },
 * })
 */
export function defineSource<S extends ConfigSchema, K = unknown, V = unknown>(definition: SourceDefinition<S, K, V>): SourceConnector<S, K, V> {
  checkName(definition.name)
  return { ...definition, kind: 'source', start: async (config, context) => definition.start(config, context) }
}

/**
 * Defines a sink connector: its config schema and how to start it. The runner reads the topics
 * it is given, hands the sink batches with `put`, and commits the input offsets only after the
 * sink's `flush` has resolved. A plugin package exports what this returns.
 *
 * @example
 * export default defineSink({
 *   name: 'console',
 *   config: { prefix: field.string({ default: '>' }) },
 *   start: (config) => ({
 *     async put(records) { for (const r of records) console.log(config.prefix, r.value) },
 *     async flush() {},
 *   }),
 * })
 */
export function defineSink<S extends ConfigSchema, K = unknown, V = unknown>(definition: SinkDefinition<S, K, V>): SinkConnector<S, K, V> {
  checkName(definition.name)
  return { ...definition, kind: 'sink', start: async (config, context) => definition.start(config, context) }
}
