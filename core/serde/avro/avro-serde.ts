import { inspect } from 'node:util'
import type { Type } from 'avsc'
import { ConfigError } from '../../errors.js'
import { reasonOf, SerdeError } from '../errors.js'
import type { Serde, SerdeContext } from '../types.js'
import { buildWriterDecoder, type WriterDecoder } from './decoder.js'
import { defaultSchemaRegistry } from './in-memory-registry.js'
import { topicNameStrategy, type SchemaRegistry } from './registry.js'
import { DEFAULT_AVRO_LIMITS, MalformedAvro, scanAvro, type AvroLimits } from './scan.js'
import { definitionOf, displayName, toAvroType, type AvroSchema } from './schema.js'
import { HEADER_BYTES, schemaIdOf, wireHeaderProblem, writeWirePayload } from './wire-format.js'

/** Options of `serdes.avro`. */
export interface AvroOptions extends Partial<AvroLimits> {
  /** The writer schema: what `serialize` writes, and what `deserialize` reads into unless `readerSchema` is given. */
  readonly schema: AvroSchema
  /** For schema evolution: values are read into this schema, resolved from whatever writer schema each payload names. */
  readonly readerSchema?: AvroSchema
  /**
   * Where writer schemas are registered and looked up; default the process-wide
   * `defaultSchemaRegistry`, held in memory (see `InMemorySchemaRegistry` for what a restart keeps).
   */
  readonly registry?: SchemaRegistry
  /** The subject the writer schema is registered under; default `<topic>-key` / `<topic>-value` (Confluent's TopicNameStrategy). */
  readonly subject?: string | ((context: SerdeContext) => string)
}

/**
 * Avro in Confluent's schema-registry wire format (magic byte 0, 4-byte big-endian schema id, Avro
 * binary), readable and writable by any Kafka Avro client.
 *
 * `serialize` registers the writer `schema` under the subject once and frames the value with its
 * id. `deserialize` looks up the payload's writer schema by id (once per id), and reads the value
 * into `readerSchema` (default `schema`), resolving between them as Avro's schema evolution rules
 * say: a field the reader adds takes its default, a field the reader drops is skipped.
 *
 * Untrusted payloads are bounded before avsc decodes them (`maxBytes` of Avro body, default 16 MiB;
 * `maxItems` array items and map entries, default 1,000,000; `maxDepth` nesting, default 100);
 * past a bound, or on trailing bytes, a wrong magic byte or an unknown schema id, `deserialize`
 * throws a `SerdeError`. `T` is the app's type for the reader schema, taken on trust.
 *
 * `prepare(bytes)` returns undefined when the payload's schema id is known or can be looked up
 * synchronously, and otherwise the registry's `load(id)` promise, once per id; see `SchemaRegistry`
 * for how a remote registry plugs in.
 *
 * @example
 * interface Order { id: string; total: number }
 * const orders = serdes.avro<Order>({
 *   schema: { type: 'record', name: 'Order', namespace: 'com.acme', fields: [
 *     { name: 'id', type: 'string' }, { name: 'total', type: 'double' } ] },
 *   registry: new InMemorySchemaRegistry(),
 * })
 * orders.name // 'avro(com.acme.Order)'
 * const bytes = orders.serialize({ id: 'o1', total: 5 }, { topic: 'orders', isKey: false }) // 00 <id> 04 6f 31 …
 * orders.deserialize(bytes, { topic: 'orders', isKey: false }) // { id: 'o1', total: 5 }
 *
 * @see json for schemaless values
 */
export function avro<T = unknown>(options: AvroOptions): Serde<T> {
  const writerType = typeOf(options.schema, 'schema')
  const readerType = options.readerSchema === undefined ? writerType : typeOf(options.readerSchema, 'readerSchema')
  const registry: SchemaRegistry = options.registry ?? defaultSchemaRegistry
  const limits = limitsOf(options)
  const name = `avro(${displayName(readerType)})`
  const writerDefinition = definitionOf(writerType)
  const idsBySubject = new Map<string, number>()
  const decoders = new Map<number, WriterDecoder>()
  const loads = new Map<number, Promise<void>>()

  const fail = (operation: 'serialize' | 'deserialize', context: SerdeContext, reason: string, cause?: unknown): SerdeError =>
    new SerdeError(operation, context, name, reason, cause)

  const schemaIdFor = (context: SerdeContext): number => {
    const subject = typeof options.subject === 'function' ? options.subject(context) : options.subject ?? topicNameStrategy(context)
    let id = idsBySubject.get(subject)
    if (id === undefined) {
      try {
        id = registry.register(subject, writerDefinition)
      } catch (err) {
        throw fail('serialize', context, `cannot register the writer schema under subject ${subject}: ${reasonOf(err)}`, err)
      }
      idsBySubject.set(subject, id)
    }
    return id
  }

  /** The decoder of a writer schema id, or why there is none. */
  const decoderFor = (schemaId: number): WriterDecoder | string => {
    const cached = decoders.get(schemaId)
    if (cached !== undefined) return cached
    const writer = registry.schemaById(schemaId)
    if (writer === undefined) return `unknown schema id ${schemaId}: the schema registry has no schema with this id`
    const decoder = buildWriterDecoder(schemaId, writer, readerType)
    if (typeof decoder !== 'string') decoders.set(schemaId, decoder)
    return decoder
  }

  return {
    name,
    serialize: (value: T, context: SerdeContext) => {
      let body: Buffer
      try {
        body = writerType.toBuffer(value)
      } catch (err) {
        throw fail('serialize', context, invalidValueReason(writerType, value, err), err)
      }
      if (body.length > limits.maxBytes) {
        throw fail('serialize', context, `the encoded value of ${body.length} bytes exceeds maxBytes ${limits.maxBytes}`)
      }
      return writeWirePayload(schemaIdFor(context), body)
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      const schemaId = schemaIdOf(bytes)
      if (schemaId === undefined) throw fail('deserialize', context, wireHeaderProblem(bytes))
      const bodyBytes = bytes.length - HEADER_BYTES
      if (bodyBytes > limits.maxBytes) {
        throw fail('deserialize', context, `the Avro body of ${bodyBytes} bytes exceeds maxBytes ${limits.maxBytes}`)
      }
      const decoder = decoderFor(schemaId)
      if (typeof decoder === 'string') throw fail('deserialize', context, decoder)
      try {
        scanAvro(decoder.plan, bytes, HEADER_BYTES, limits)
      } catch (err) {
        if (!(err instanceof MalformedAvro)) throw err
        throw fail('deserialize', context, `${err.message} (writer schema id ${schemaId})`, err)
      }
      let decoded: { value: unknown; offset: number }
      try {
        decoded = readerType.decode(bytes, HEADER_BYTES, decoder.resolver)
      } catch (err) {
        throw fail('deserialize', context, `${reasonOf(err)} (writer schema id ${schemaId})`, err)
      }
      // The scan has checked the layout already; this guards against avsc reading it differently.
      if (decoded.offset !== bytes.length) {
        throw fail('deserialize', context, `avsc read ${decoded.offset - HEADER_BYTES} of ${bodyBytes} bytes (writer schema id ${schemaId})`)
      }
      return decoded.value as T // T is the app's type for the reader schema, which avsc has just applied
    },
    prepare: (bytes: Buffer) => {
      const schemaId = schemaIdOf(bytes)
      if (schemaId === undefined || decoders.has(schemaId)) return undefined
      if (registry.schemaById(schemaId) !== undefined || registry.load === undefined) {
        decoderFor(schemaId) // warms the cache; a failure is reported by deserialize
        return undefined
      }
      const pending = loads.get(schemaId) ?? registry.load(schemaId).finally(() => loads.delete(schemaId))
      loads.set(schemaId, pending)
      return pending
    },
  }
}

function typeOf(schema: AvroSchema, field: 'schema' | 'readerSchema'): Type {
  try {
    return toAvroType(schema)
  } catch (err) {
    throw new ConfigError(field, `not a valid Avro schema: ${reasonOf(err)}`)
  }
}

function limitsOf(options: Partial<AvroLimits>): AvroLimits {
  const limits = {
    maxBytes: options.maxBytes ?? DEFAULT_AVRO_LIMITS.maxBytes,
    maxItems: options.maxItems ?? DEFAULT_AVRO_LIMITS.maxItems,
    maxDepth: options.maxDepth ?? DEFAULT_AVRO_LIMITS.maxDepth,
  }
  for (const [field, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(field, `must be a positive integer, got ${value}`)
  }
  return limits
}

/** Where in the value the schema is broken, from avsc's validation, e.g. `total: "abc" is not a double`. */
function invalidValueReason(type: Type, value: unknown, err: unknown): string {
  const problems: string[] = []
  type.isValid(value, {
    errorHook: (path: string[], found: unknown, expected: Type) => {
      problems.push(`${path.length === 0 ? 'value' : path.join('.')}: ${preview(found)} is not ${expected.name ?? expected.typeName}`)
    },
  })
  return problems.length === 0 ? reasonOf(err) : `invalid value for ${displayName(type)}: ${problems.slice(0, 3).join('; ')}`
}

function preview(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 40, maxArrayLength: 5 })
}
