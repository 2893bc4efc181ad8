import { TributaryError } from '../errors.js'
import type { SerdeContext } from './types.js'

export type SerdeOperation = 'serialize' | 'deserialize'

/**
 * A value could not be serialized, or bytes could not be deserialized. Code `TRIBUTARY_SERDE`,
 * not retriable: the same bytes fail the same way. It names the topic, key or value, the serde
 * and the reason; the runtime adds partition and offset and routes it to the app's handler.
 *
 * @example
 * try { serdes.json().deserialize(Buffer.from('{"a":}'), { topic: 'orders', isKey: false }) }
 * catch (err) {
 *   if (err instanceof SerdeError) err.message
 *   // 'cannot deserialize value of topic orders with json: Unexpected token } …'
 * }
 */
export class SerdeError extends TributaryError {
  readonly operation: SerdeOperation
  readonly topic: string
  readonly isKey: boolean
  /** The serde's `name`. */
  readonly serde: string
  /** The short reason, without the topic and serde prefix. */
  readonly reason: string

  constructor(operation: SerdeOperation, context: SerdeContext, serde: string, reason: string, cause?: unknown) {
    super(
      'TRIBUTARY_SERDE',
      `cannot ${operation} ${context.isKey ? 'key' : 'value'} of topic ${context.topic} with ${serde}: ${reason}`,
      { cause },
    )
    this.operation = operation
    this.topic = context.topic
    this.isKey = context.isKey
    this.serde = serde
    this.reason = reason
  }
}

/**
 * The message of whatever a parser threw, as a short reason (internal).
 *
 * @example
 * reasonOf(new SyntaxError('Unexpected end of JSON input')) // 'Unexpected end of JSON input'
 */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * A schema registry refused a schema: not valid Avro, or (in the in-memory registry) a
 * content-derived id already taken by another schema. Code `TRIBUTARY_SCHEMA_REGISTRY`.
 *
 * @example
 * new InMemorySchemaRegistry().register('orders-value', { type: 'nope' })
 * // throws SchemaRegistryError: cannot register a schema under subject orders-value: unknown type: "nope"
 */
export class SchemaRegistryError extends TributaryError {
  readonly subject: string
  constructor(subject: string, reason: string, cause?: unknown) {
    super('TRIBUTARY_SCHEMA_REGISTRY', `cannot register a schema under subject ${subject}: ${reason}`, { cause })
    this.subject = subject
  }
}
