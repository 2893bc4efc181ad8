/**
 * Coverage-guided target: Avro decoding of untrusted payloads (`serdes.avro(...).deserialize`)
 * against a fixed set of schemas: every primitive, logical types, enum and fixed, recursion through
 * a union and through an array, maps of unions, deep nesting, and a reader that evolved from its
 * writer. Allowed: a value or a SerdeError; anything else is a finding.
 *
 * The first byte chooses the reader (low 7 bits, modulo the readers) and whether the rest is the
 * whole wire payload (bit 7 set: magic byte and schema id included) or, when clear, the second
 * byte chooses a registered writer schema and the rest is its Avro body.
 *
 * @example
 * fuzz(Buffer.from([0, 0, 0x02, 0x61])) // reader 0, writer 0, body 02 61
 */
import { InMemorySchemaRegistry } from '../../../../core/serde/avro/in-memory-registry.js'
import { avro } from '../../../../core/serde/avro/avro-serde.js'
import type { AvroSchemaDefinition } from '../../../../core/serde/avro/schema.js'
import { SerdeError } from '../../../../core/serde/errors.js'
import type { Serde } from '../../../../core/serde/types.js'
import { onlyTyped } from './typed-errors.js'

const nested = (depth: number): AvroSchemaDefinition => {
  let schema: AvroSchemaDefinition = 'long'
  for (let level = 0; level < depth; level++) schema = level % 2 === 0 ? { type: 'array', items: schema } : { type: 'map', values: schema }
  return schema
}

const ORDER_V1: AvroSchemaDefinition = { type: 'record', name: 'Order', namespace: 'fuzz', fields: [{ name: 'id', type: 'string' }, { name: 'total', type: 'double' }] }
const ORDER_V2: AvroSchemaDefinition = {
  type: 'record', name: 'Order', namespace: 'fuzz', fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
  ],
}

/** The writer schemas payloads may name, in registration order. */
const WRITERS: readonly AvroSchemaDefinition[] = [
  {
    type: 'record', name: 'Primitives', fields: [
      { name: 'n', type: 'null' }, { name: 'b', type: 'boolean' }, { name: 'i', type: 'int' }, { name: 'l', type: 'long' },
      { name: 'f', type: 'float' }, { name: 'd', type: 'double' }, { name: 'bytes', type: 'bytes' }, { name: 's', type: 'string' },
    ],
  },
  {
    type: 'record', name: 'Logical', fields: [
      { name: 'day', type: { type: 'int', logicalType: 'date' } },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'micros', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
      { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
      { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 8 } },
    ],
  },
  { type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }, { name: 'tag', type: 'string' }] },
  { type: 'record', name: 'Tree', fields: [{ name: 'children', type: { type: 'array', items: 'Tree' } }, { name: 'attrs', type: { type: 'map', values: ['null', 'bytes', 'double'] } }] },
  ['null', 'long', { type: 'enum', name: 'Suit', symbols: ['HEARTS', 'SPADES'] }, { type: 'array', items: 'float' }, { type: 'map', values: 'boolean' }],
  nested(24),
  ORDER_V1,
  { type: 'fixed', name: 'Huge', size: 2 ** 31 - 1 },
]

const registry = new InMemorySchemaRegistry()
const ids = WRITERS.map((schema, index) => registry.register(`fuzz-${index}-value`, schema))
/** A reader per writer (reading into the writer's own schema), and the evolved reader of orders. */
const readers: Serde<unknown>[] = [
  ...WRITERS.map((schema) => avro({ schema, registry, maxItems: 10_000 })),
  avro({ schema: ORDER_V1, readerSchema: ORDER_V2, registry, maxItems: 10_000 }),
]
const context = { topic: 'fuzz', isKey: false }

/**
 * One input: a reader byte, a writer byte (unless the payload is whole), then the Avro body.
 *
 * @example
 * fuzz(Buffer.from([0x80, 0x00, 0x00, 0x00, 0x00, 0x01])) // a whole payload naming schema id 1
 */
export function fuzz(data: Buffer): void {
  if (data.length < 2) return
  const reader = readers[(data[0]! & 0x7f) % readers.length]!
  const whole = (data[0]! & 0x80) !== 0
  const payload = whole ? data.subarray(1) : wire(ids[data[1]! % ids.length]!, data.subarray(2))
  onlyTyped([SerdeError], () => {
    reader.prepare?.(payload, context)
    return reader.deserialize(payload, context)
  })
}

function wire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeInt32BE(schemaId, 1)
  return Buffer.concat([header, body])
}

/**
 * Valid payloads to start from: one value of each writer, read by its own reader.
 *
 * @example
 * for (const seed of seeds()) fuzz(seed) // none throws
 */
export function seeds(): Buffer[] {
  const values: unknown[] = [
    { n: null, b: true, i: -3, l: 1234567890123, f: 1.5, d: -2.25, bytes: Buffer.from([0, 255]), s: 'héllo' },
    { day: 19000, at: 1_700_000_000_000, micros: 1_700_000_000_000_000, id: '5b8f0d5e-3f0a-4d0e-9c1e-0d2f4b6a8c9e', amount: Buffer.from([0x01, 0x00]), color: 'GREEN', hash: Buffer.alloc(8, 7) },
    { next: { next: null, tag: 'b' }, tag: 'a' },
    { children: [{ children: [], attrs: { x: null } }], attrs: { y: 2.5, z: Buffer.from('q') } },
    [1.5, -0.25],
    [{ a: [1, 2] }],
    { id: 'o-1', total: 9.99 },
  ]
  const out: Buffer[] = []
  values.forEach((value, index) => {
    try {
      const body = readers[index]!.serialize(value, context).subarray(5)
      out.push(Buffer.concat([Buffer.from([index, index]), body]))
    } catch {
      // A seed this avsc version will not write is left out: seeds only speed the search.
    }
  })
  out.push(Buffer.concat([Buffer.from([readers.length - 1, WRITERS.indexOf(ORDER_V1)]), Buffer.from([0x06, 0x6f, 0x2d, 0x32]), Buffer.alloc(8)]))
  out.push(Buffer.from([0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02]))
  return out
}
