/**
 * Avro schemas as the serde and the registry see them: a JSON form (as in an `.avsc` file) or an
 * avsc `Type`, turned into a `Type` once.
 */
import avro from 'avsc'
import type { Type } from 'avsc'

/** An Avro schema in its JSON form: a type name (`"string"`), a union (an array), or an object. */
export type AvroSchemaDefinition = string | readonly unknown[] | { readonly [key: string]: unknown }

/** What the Avro serde takes: a JSON schema or an avsc `Type`. */
export type AvroSchema = AvroSchemaDefinition | Type

type AvscSchemaInput = Parameters<typeof avro.Type.forSchema>[0]

/**
 * The avsc `Type` of a schema; throws avsc's error for a schema that is not valid Avro (internal).
 *
 * @example
 * toAvroType({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] }).name // 'Order'
 */
export function toAvroType(schema: AvroSchema): Type {
  if (avro.Type.isType(schema)) return schema as Type
  // avsc validates the definition at run time; its static type is looser than ours.
  return avro.Type.forSchema(schema as AvscSchemaInput)
}

/**
 * The JSON form of a type, with every attribute kept (defaults, docs, logical types) (internal).
 *
 * @example
 * definitionOf(avro.Type.forSchema('string')) // 'string'
 */
export function definitionOf(type: Type): AvroSchemaDefinition {
  const json: unknown = type.schema({ exportAttrs: true })
  if (!isSchemaDefinition(json)) throw new Error(`avsc returned a schema of type ${typeof json}`)
  return json
}

/**
 * A schema's identity for the registry: its full JSON form as a string, so two schemas that
 * differ only in a default or a doc are different schemas, as in Confluent's registry (internal).
 *
 * @example
 * schemaKey(avro.Type.forSchema({ type: 'int' })) // '"int"'
 */
export function schemaKey(type: Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }))
}

/**
 * How a type is named in messages: its full name when it has one, else its Avro type.
 *
 * @example
 * displayName(avro.Type.forSchema({ type: 'array', items: 'int' })) // 'array'
 */
export function displayName(type: Type): string {
  return type.name ?? type.typeName
}

function isSchemaDefinition(value: unknown): value is AvroSchemaDefinition {
  return typeof value === 'string' || (typeof value === 'object' && value !== null)
}
