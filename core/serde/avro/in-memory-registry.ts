import { createHash } from 'node:crypto'
import { reasonOf, SchemaRegistryError } from '../errors.js'
import type { RegisteredSchema, SchemaRegistry } from './registry.js'
import { definitionOf, schemaKey, toAvroType, type AvroSchemaDefinition } from './schema.js'

interface StoredSchema {
  readonly key: string
  readonly schema: AvroSchemaDefinition
}

/**
 * A schema registry held in this process, synchronous throughout.
 *
 * Ids are derived from the schema's content (31 bits of a SHA-256 of its full JSON form), not
 * counted up from 1 as Confluent's are: so a restarted process that registers its schemas in
 * another order still gives each the id it had, and data kept in the embedded log never decodes
 * with the wrong schema. What it cannot do is remember a schema nobody registers again: after a
 * restart, a record written with a schema the app no longer registers fails with a `SerdeError`
 * naming the unknown id. Data that must outlive the process with old schemas needs a registry
 * that persists them. Compatibility between versions is not checked (see `SchemaRegistry`).
 *
 * @example
 * const registry = new InMemorySchemaRegistry()
 * const orders = serdes.avro<Order>({ schema: orderSchema, registry })
 */
export class InMemorySchemaRegistry implements SchemaRegistry {
  readonly #byId = new Map<number, StoredSchema>()
  readonly #bySubject = new Map<string, RegisteredSchema[]>()

  /**
   * Registers `schema` under `subject` and returns its id; registering it again returns the same
   * id and adds no version. Throws `SchemaRegistryError` for a schema that is not valid Avro.
   *
   * @example
   * registry.register('orders-value', 'string') === registry.register('orders-value', 'string') // true
   */
  register(subject: string, schema: AvroSchemaDefinition): number {
    let key: string
    let definition: AvroSchemaDefinition
    try {
      const type = toAvroType(schema)
      key = schemaKey(type)
      definition = deepFreeze(definitionOf(type))
    } catch (err) {
      throw new SchemaRegistryError(subject, reasonOf(err), err)
    }
    const id = idOf(key)
    const stored = this.#byId.get(id)
    if (stored === undefined) this.#byId.set(id, { key, schema: definition })
    else if (stored.key !== key) throw new SchemaRegistryError(subject, `schema id ${id} is taken by another schema`)

    const versions = this.#bySubject.get(subject) ?? []
    if (!versions.some((version) => version.id === id)) {
      versions.push({ id, version: versions.length + 1, subject, schema: definition })
      this.#bySubject.set(subject, versions)
    }
    return id
  }

  /**
   * The schema registered with this id, if any.
   *
   * @example
   * registry.schemaById(registry.register('s', 'int')) // 'int'
   */
  schemaById(id: number): AvroSchemaDefinition | undefined {
    return this.#byId.get(id)?.schema
  }

  /**
   * The newest schema of a subject.
   *
   * @example
   * registry.register('s', 'int'); registry.register('s', 'long')
   * registry.latest('s')?.version // 2
   */
  latest(subject: string): RegisteredSchema | undefined {
    return this.#bySubject.get(subject)?.at(-1)
  }
}

/** The registry `serdes.avro` uses when given none, shared by every serde of the process. */
export const defaultSchemaRegistry = new InMemorySchemaRegistry()

/** 31 bits of the SHA-256 of a schema's key, in [1, 2^31 - 1]. */
function idOf(key: string): number {
  const digest = createHash('sha256').update(key).digest()
  return (digest.readUInt32BE(0) % 0x7fffffff) + 1
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
