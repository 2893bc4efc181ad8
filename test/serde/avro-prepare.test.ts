import { describe, expect, it } from 'vitest'
import { InMemorySchemaRegistry, serdes, type AvroSchemaDefinition, type RegisteredSchema, type SchemaRegistry } from '../../core/serde/index.js'
import { serdeErrorOf, valueOf } from './helpers.js'

const context = valueOf('orders')

/**
 * Stands in for a registry that lives elsewhere: `schemaById` answers only from what `load`
 * has fetched, as a remote registry's synchronous side would.
 */
class FetchingRegistry implements SchemaRegistry {
  readonly loads: number[] = []
  readonly #cache = new Map<number, AvroSchemaDefinition>()
  constructor(private readonly remote: InMemorySchemaRegistry) {}
  register(subject: string, schema: AvroSchemaDefinition): number {
    return this.remote.register(subject, schema)
  }
  schemaById(id: number): AvroSchemaDefinition | undefined {
    return this.#cache.get(id)
  }
  latest(subject: string): RegisteredSchema | undefined {
    return this.remote.latest(subject)
  }
  async load(id: number): Promise<void> {
    this.loads.push(id)
    await Promise.resolve()
    const schema = this.remote.schemaById(id)
    if (schema !== undefined) this.#cache.set(id, schema)
  }
}

describe('Avro serde prepare hook', () => {
  it('needs no await with the in-process registry: the schema is looked up synchronously', () => {
    const registry = new InMemorySchemaRegistry()
    const serde = serdes.avro<string>({ schema: 'string', registry })
    const bytes = serde.serialize('a', context)
    expect(serde.prepare?.(bytes, context)).toBeUndefined()
    expect(serde.deserialize(bytes, context)).toBe('a')
  })

  it('returns the registry load on a cache miss, after which deserialize runs synchronously', async () => {
    const remote = new InMemorySchemaRegistry()
    const bytes = serdes.avro<string>({ schema: 'string', registry: remote }).serialize('a', context)
    const registry = new FetchingRegistry(remote)
    const serde = serdes.avro<string>({ schema: 'string', registry })

    expect(serdeErrorOf(() => serde.deserialize(bytes, context)).reason).toMatch(/^unknown schema id/)
    const pending = serde.prepare?.(bytes, context)
    expect(pending).toBeInstanceOf(Promise)
    await pending
    expect(serde.deserialize(bytes, context)).toBe('a')
    expect(serde.prepare?.(bytes, context)).toBeUndefined()
    expect(registry.loads).toEqual([bytes.readInt32BE(1)])
  })

  it('asks the registry once per id while a load is in flight', async () => {
    const remote = new InMemorySchemaRegistry()
    const bytes = serdes.avro<string>({ schema: 'string', registry: remote }).serialize('a', context)
    const registry = new FetchingRegistry(remote)
    const serde = serdes.avro<string>({ schema: 'string', registry })
    const first = serde.prepare?.(bytes, context)
    const second = serde.prepare?.(bytes, context)
    expect(second).toBe(first)
    await Promise.all([first, second])
    expect(registry.loads).toHaveLength(1)
  })

  it('leaves bad bytes to deserialize, which reports them', () => {
    const serde = serdes.avro<string>({ schema: 'string', registry: new FetchingRegistry(new InMemorySchemaRegistry()) })
    expect(serde.prepare?.(Buffer.from('not avro'), context)).toBeUndefined()
    expect(serdeErrorOf(() => serde.deserialize(Buffer.from('not avro'), context)).reason).toMatch(/magic byte/)
  })
})
