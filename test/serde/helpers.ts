import { expect } from 'vitest'
import { SerdeError } from '../../core/serde/errors.js'
import type { SchemaRegistry, RegisteredSchema } from '../../core/serde/avro/registry.js'
import type { AvroSchemaDefinition } from '../../core/serde/avro/schema.js'
import type { InMemorySchemaRegistry } from '../../core/serde/avro/in-memory-registry.js'
import type { SerdeContext } from '../../core/serde/types.js'
import { readFileSync } from 'node:fs'

export const valueOf = (topic: string): SerdeContext => ({ topic, isKey: false })
export const keyOf = (topic: string): SerdeContext => ({ topic, isKey: true })

/** Runs `fn`, expects a SerdeError, and returns it for further checks. */
export function serdeErrorOf(fn: () => unknown): SerdeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(SerdeError)
    return err as SerdeError
  }
  throw new Error('expected a SerdeError, nothing was thrown')
}

/** An Avro long/int as a zigzag varint, for crafting payloads by hand (exact up to 2^53). */
export function zigzag(value: number): Buffer {
  let unsigned = value >= 0 ? value * 2 : -value * 2 - 1
  const bytes: number[] = []
  while (unsigned >= 128) {
    bytes.push((unsigned % 128) | 0x80)
    unsigned = Math.floor(unsigned / 128)
  }
  bytes.push(unsigned)
  return Buffer.from(bytes)
}

/** Confluent framing: magic 0, big-endian id, body. */
export function framed(schemaId: number, ...body: Buffer[]): Buffer {
  const header = Buffer.alloc(5)
  header.writeInt32BE(schemaId, 1)
  return Buffer.concat([header, ...body])
}

/** A fixture: hex digits, whitespace ignored, `#` starts a comment. */
export function fixture(name: string): Buffer {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
  const hex = text.replace(/#.*$/gm, '').replace(/\s+/g, '')
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`fixture ${name} is not hex`)
  return Buffer.from(hex, 'hex')
}

/**
 * A registry with ids chosen by the test, as a Confluent registry hands them out; also shows
 * that `SchemaRegistry` is a plain interface anyone can implement.
 */
export class FixedIdRegistry implements SchemaRegistry {
  readonly #schemas: Map<number, AvroSchemaDefinition>
  constructor(schemas: Record<number, AvroSchemaDefinition>) {
    this.#schemas = new Map(Object.entries(schemas).map(([id, schema]) => [Number(id), schema]))
  }
  register(): number {
    throw new Error('read-only registry')
  }
  schemaById(id: number): AvroSchemaDefinition | undefined {
    return this.#schemas.get(id)
  }
  latest(): RegisteredSchema | undefined {
    return undefined
  }
}

/**
 * Stands in for a registry that lives elsewhere: `schemaById` answers only from what `load`
 * has fetched, as a remote registry's synchronous side would.
 */
export class FetchingRegistry implements SchemaRegistry {
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
