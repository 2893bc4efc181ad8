import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InMemorySchemaRegistry, SerdeError, serdes, type AvroSchemaDefinition } from '../../core/serde/index.js'
import { FixedIdRegistry, framed, serdeErrorOf, valueOf, zigzag } from './helpers.js'

const context = valueOf('hostile')
const ID = 9

/** A serde reading payloads that name writer schema id 9, which is `schema`. */
function readerOf(schema: AvroSchemaDefinition, limits: { maxDepth?: number; maxItems?: number; maxBytes?: number } = {}) {
  return serdes.avro({ schema, registry: new FixedIdRegistry({ [ID]: schema }), ...limits })
}

const NODE = { type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] }
const TREE = { type: 'record', name: 'Tree', fields: [{ name: 'children', type: { type: 'array', items: 'Tree' } }] }

/** A linked list of `depth` nodes: union branch 1 (a Node) per level, then branch 0 (null). */
function nestedNodes(depth: number): Buffer {
  return Buffer.concat([Buffer.alloc(depth - 1, 0x02), Buffer.from([0x00])])
}

describe('Avro decoding of hostile payloads', () => {
  it('refuses an array block claiming 2^31 items, without allocating them', () => {
    const error = serdeErrorOf(() => readerOf({ type: 'array', items: 'int' }).deserialize(framed(ID, zigzag(2 ** 31), Buffer.from([2, 0])), context))
    expect(error.reason).toBe('array block claims 2147483648 items of at least 1 bytes each, but 2 bytes remain (writer schema id 9)')
  })

  it('refuses 2^31 items that take no bytes each (an array of null) by maxItems', () => {
    const error = serdeErrorOf(() => readerOf({ type: 'array', items: 'null' }).deserialize(framed(ID, zigzag(2 ** 31), Buffer.from([0])), context))
    expect(error.reason).toMatch(/^array block of 2147483648 items takes the value past maxItems 1000000/)
  })

  it('counts maxItems across blocks and nested collections', () => {
    const serde = readerOf({ type: 'array', items: 'null' }, { maxItems: 10 })
    const block = zigzag(4)
    expect(serdeErrorOf(() => serde.deserialize(framed(ID, block, block, block, Buffer.from([0])), context)).reason).toMatch(/past maxItems 10/)
    expect(serde.deserialize(framed(ID, block, block, Buffer.from([0])), context)).toHaveLength(8)
  })

  it('refuses a map block claiming 2^31 entries', () => {
    const error = serdeErrorOf(() => readerOf({ type: 'map', values: 'null' }).deserialize(framed(ID, zigzag(2 ** 31), Buffer.from([0])), context))
    expect(error.reason).toMatch(/^map block claims 2147483648 items of at least 1 bytes each/)
  })

  it('refuses a string or bytes claiming 2^40 bytes', () => {
    for (const schema of ['string', 'bytes']) {
      const error = serdeErrorOf(() => readerOf(schema).deserialize(framed(ID, zigzag(2 ** 40), Buffer.from('abc')), context))
      expect(error.reason).toBe('string or bytes of 1099511627776 bytes runs past the end (3 bytes remain) (writer schema id 9)')
    }
  })

  it('refuses a negative length', () => {
    expect(serdeErrorOf(() => readerOf('string').deserialize(framed(ID, zigzag(-5)), context)).reason).toMatch(/^negative length -5/)
  })

  it('refuses a fixed larger than the payload, from a hostile writer schema', () => {
    const error = serdeErrorOf(() => readerOf({ type: 'fixed', name: 'Huge', size: 2 ** 31 - 1 }).deserialize(framed(ID, Buffer.alloc(16)), context))
    expect(error.reason).toMatch(/^fixed-size value of 2147483647 bytes runs past the end/)
  })

  it('refuses a writer schema nested too deep for avsc to parse, instead of crashing', () => {
    let hostile: AvroSchemaDefinition = 'int'
    for (let i = 0; i < 100_000; i++) hostile = { type: 'array', items: hostile }
    const serde = serdes.avro({ schema: 'string', registry: new FixedIdRegistry({ [ID]: hostile }) })
    const error = serdeErrorOf(() => serde.deserialize(framed(ID, Buffer.from([0])), context))
    expect(error.reason).toMatch(/^writer schema id 9 is not a usable Avro schema/)
  })

  it('refuses a recursive record nested 100,000 deep, without overflowing the stack', () => {
    const error = serdeErrorOf(() => readerOf(NODE).deserialize(framed(ID, nestedNodes(100_000)), context))
    expect(error.reason).toBe('value nested deeper than maxDepth 100 (records, arrays and maps) (writer schema id 9)')
  })

  it('refuses arrays of records nested 100,000 deep', () => {
    const levels = Buffer.concat(Array.from({ length: 100_000 }, () => Buffer.from([0x02])))
    expect(serdeErrorOf(() => readerOf(TREE).deserialize(framed(ID, levels, Buffer.from([0])), context)).reason).toMatch(/maxDepth 100/)
  })

  it('reads recursive values within maxDepth, and deeper ones when allowed', () => {
    expect(readerOf(NODE).deserialize(framed(ID, nestedNodes(100)), context)).toBeDefined()
    expect(serdeErrorOf(() => readerOf(NODE).deserialize(framed(ID, nestedNodes(101)), context)).reason).toMatch(/maxDepth 100/)
    let node = readerOf(NODE, { maxDepth: 1000 }).deserialize(framed(ID, nestedNodes(1000)), context) as { next: unknown }
    let depth = 1
    while (node.next !== null) {
      node = node.next as { next: unknown }
      depth++
    }
    expect(depth).toBe(1000)
  })

  it('refuses a payload over maxBytes before reading it', () => {
    const error = serdeErrorOf(() => readerOf('bytes', { maxBytes: 1024 }).deserialize(framed(ID, Buffer.alloc(2000)), context))
    expect(error.reason).toBe('the Avro body of 2000 bytes exceeds maxBytes 1024')
  })

  it('refuses a block whose byte size disagrees with its items', () => {
    // -1 items (one item, with a byte size), claimed size 3, but the int item takes 1 byte
    const body = Buffer.concat([zigzag(-1), zigzag(3), zigzag(7), Buffer.from([0, 0, 0])])
    expect(serdeErrorOf(() => readerOf({ type: 'array', items: 'int' }).deserialize(framed(ID, body), context)).reason).toMatch(
      /^array block should end at byte 5, its items end at byte 3/,
    )
    const honest = Buffer.concat([zigzag(-1), zigzag(1), zigzag(7), Buffer.from([0])])
    expect(readerOf({ type: 'array', items: 'int' }).deserialize(framed(ID, honest), context)).toEqual([7])
  })

  it('refuses an out-of-range enum symbol or union branch', () => {
    const color = { type: 'enum', name: 'Color', symbols: ['RED'] }
    expect(serdeErrorOf(() => readerOf(color).deserialize(framed(ID, zigzag(5)), context)).reason).toMatch(/^enum index 5 is out of range/)
    expect(serdeErrorOf(() => readerOf(['null', 'int']).deserialize(framed(ID, zigzag(-1)), context)).reason).toMatch(/^union branch -1/)
  })

  it('refuses a number longer than 10 bytes', () => {
    expect(serdeErrorOf(() => readerOf('long').deserialize(framed(ID, Buffer.alloc(12, 0xff)), context)).reason).toMatch(/longer than 10 bytes/)
  })

  it('answers any bytes with a value or a SerdeError (fuzzed)', () => {
    const schema = {
      type: 'record',
      name: 'Everything',
      fields: [
        { name: 'tree', type: TREE },
        { name: 'tags', type: { type: 'map', values: ['null', 'string', { type: 'array', items: 'long' }] } },
        { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
        { name: 'id', type: { type: 'fixed', name: 'Id', size: 4 } },
        { name: 'score', type: 'double' },
      ],
    }
    const serde = readerOf(schema, { maxItems: 10_000 })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        try {
          serde.deserialize(framed(ID, Buffer.from(body)), context)
        } catch (err) {
          if (!(err instanceof SerdeError)) throw err
        }
      }),
      { numRuns: 5_000 },
    )
  })

  it('answers damaged valid payloads with a value or a SerdeError (fuzzed)', () => {
    const registry = new InMemorySchemaRegistry()
    const schema = { type: 'record', name: 'Row', fields: [{ name: 'cells', type: { type: 'array', items: { type: 'map', values: 'string' } } }] }
    const serde = serdes.avro<{ cells: Record<string, string>[] }>({ schema, registry })
    const valid = serde.serialize({ cells: [{ a: 'x', b: 'yy' }, {}, { c: 'zzz' }] }, context)
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 6 }), fc.integer({ min: 0, max: 255 }), (offset, byte) => {
        const damaged = Buffer.from(valid)
        damaged[5 + offset] = byte
        try {
          serde.deserialize(damaged, context)
        } catch (err) {
          if (!(err instanceof SerdeError)) throw err
        }
      }),
      { numRuns: 2_000 },
    )
  })
})
