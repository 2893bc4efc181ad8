/**
 * The schema-registry contract the Avro serde uses: small and synchronous, because serdes run
 * synchronously on the hot path.
 *
 * Plugging in a remote registry (Confluent's REST API) later:
 * - `schemaById` answers from a local cache only, never over the network. The registry also
 *   implements `load(id)`, which fetches `GET /schemas/ids/{id}` into that cache. The Avro
 *   serde's `prepare(bytes)` returns `registry.load(id)` when the id in the payload is not yet
 *   known, and the runtime awaits that promise before it calls `deserialize`; so only a cache
 *   miss waits, once per id.
 * - `register` must answer synchronously too: a remote registry registers (`POST
 *   /subjects/{subject}/versions`) ahead of time, when the app starts and its sink topics and
 *   serdes are known, and answers `register` from that cache afterwards (a miss is an error
 *   that names the subject). Not built yet.
 */
import type { AvroSchemaDefinition } from './schema.js'

/** A schema as stored under a subject. */
export interface RegisteredSchema {
  /** Global id; the same schema has the same id under every subject. */
  readonly id: number
  /** 1 for the first schema of the subject, then 2, 3, … */
  readonly version: number
  readonly subject: string
  readonly schema: AvroSchemaDefinition
}

/**
 * Stores writer schemas by id. Compatibility checks (Confluent's BACKWARD, FORWARD, FULL) are
 * out of scope: `register` accepts any valid schema under any subject, and readers find out at
 * decode time, with a `SerdeError`, that a writer schema cannot be read as their reader schema.
 *
 * @example
 * const registry: SchemaRegistry = new InMemorySchemaRegistry()
 * const id = registry.register('orders-value', { type: 'record', name: 'Order', fields: [] })
 * registry.schemaById(id)          // the schema
 * registry.latest('orders-value')  // { id, version: 1, subject: 'orders-value', schema }
 */
export interface SchemaRegistry {
  /** Registers a schema under a subject and returns its id; the same schema again returns the same id. */
  register(subject: string, schema: AvroSchemaDefinition): number
  /** The schema with this id, or undefined when the registry (or its local cache) does not have it. */
  schemaById(id: number): AvroSchemaDefinition | undefined
  /** The newest schema registered under a subject. */
  latest(subject: string): RegisteredSchema | undefined
  /** Optional, for registries that live elsewhere: fetches an id into the cache `schemaById` reads. */
  load?(id: number): Promise<void>
}

/**
 * Confluent's default subject name (`TopicNameStrategy`): `<topic>-key` or `<topic>-value`.
 *
 * @example
 * topicNameStrategy({ topic: 'orders', isKey: false }) // 'orders-value'
 */
export function topicNameStrategy(context: { readonly topic: string; readonly isKey: boolean }): string {
  return `${context.topic}-${context.isKey ? 'key' : 'value'}`
}
