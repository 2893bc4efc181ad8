import { describe, expect, it } from 'vitest'
import { InMemorySchemaRegistry, serdes } from '../../core/serde/index.js'
import { FetchingRegistry, serdeErrorOf, valueOf } from './helpers.js'

const context = valueOf('orders')

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
