/**
 * Untrusted Avro schemas for the fuzzing suite: recursive fast-check arbitraries of Avro-like
 * shapes, valid and not: records with odd names and duplicate fields, unions (nested, duplicate
 * branches), arrays and maps nested deep, huge or negative `fixed` sizes, references to names
 * defined elsewhere or nowhere (self-references), logical types, and plain JSON junk.
 */
import fc from 'fast-check'

/** A JSON value standing in for an Avro schema (what a registry or a config file could hand over). */
export type SchemaLike = string | number | boolean | null | readonly SchemaLike[] | { readonly [key: string]: SchemaLike }

const PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const
/** Names the arbitraries below define (and so may refer back to), mostly; then names Avro refuses or none defines. */
const NAMES = ['Node', 'Tree', 'a.b.Rec', 'Color', 'Id', 'R1', 'R2', 'R3', 'x.E1', 'F1'] as const
const ODD_NAMES = ['Missing', 'int', 'record', '1bad', '', 'a..b', '$x', 'Node.'] as const
const FIELD_NAMES = ['f', 'g', 'next', 'id', 'children'] as const

const oddly = (usual: fc.Arbitrary<string>, odd: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: fc.constantFrom(...odd), weight: 1 }, { arbitrary: fc.string({ maxLength: 6 }), weight: 1 })
const typeName = oddly(fc.constantFrom(...NAMES), ODD_NAMES)
const fieldName = oddly(fc.constantFrom(...FIELD_NAMES), ['', '1x', 'a-b', 'f'])
const fixedSize: fc.Arbitrary<SchemaLike> = fc.oneof(
  fc.nat({ max: 32 }),
  fc.constantFrom(-1, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e308, 0.5),
  fc.constantFrom<SchemaLike>('4', null),
)
const junk: fc.Arbitrary<SchemaLike> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<SchemaLike>

/**
 * Avro-like schemas nested up to `maxDepth` levels (fast-check's depth bias keeps most small).
 *
 * @example
 * fc.sample(avroLikeSchema(4), 1) // [{ type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] }]
 */
export function avroLikeSchema(maxDepth: number): fc.Arbitrary<SchemaLike> {
  const { schema } = fc.letrec<{ schema: SchemaLike; field: SchemaLike }>((tie) => ({
    schema: fc.oneof(
      { maxDepth, depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<SchemaLike>(...PRIMITIVES),
      { arbitrary: typeName, weight: 2 },
      junk,
      fc.record({ type: fc.constant('record'), name: typeName, fields: fields(tie('field'), 4) }, { requiredKeys: ['type', 'fields'] }),
      fc.record({ type: fc.constant('error'), name: typeName, fields: fields(tie('field'), 2) }),
      fc.record({ type: fc.constant('enum'), name: typeName, symbols: fc.array(typeName, { maxLength: 4 }), default: typeName }, { requiredKeys: ['type', 'name', 'symbols'] }),
      fc.record({ type: fc.constant('fixed'), name: typeName, size: fixedSize }),
      fc.record({ type: fc.constant('array'), items: tie('schema') }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('map'), values: tie('schema') }, { requiredKeys: ['type'] }),
      fc.array(tie('schema'), { maxLength: 4 }),
      fc.record({ type: tie('schema') }),
      logicalType(),
    ),
    field: fc.oneof(
      { arbitrary: fc.record({ name: fieldName, type: tie('schema') }), weight: 4 },
      fc.record(
        { name: fieldName, type: tie('schema'), default: junk, aliases: fc.array(fieldName, { maxLength: 2 }), order: fc.constantFrom('ascending', 'descending', 'ignore', 'sideways') },
        { requiredKeys: ['name', 'type'] },
      ),
    ),
  }))
  return schema
}

/** Fields with distinct names mostly (a duplicate name is one more way to be refused, not the only one). */
function fields(field: fc.Arbitrary<SchemaLike>, maxLength: number): fc.Arbitrary<SchemaLike[]> {
  const nameOf = (value: SchemaLike): unknown => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { readonly name?: unknown }).name : value)
  return fc.oneof({ arbitrary: fc.uniqueArray(field, { maxLength, selector: nameOf }), weight: 4 }, fc.array(field, { maxLength }))
}

function logicalType(): fc.Arbitrary<SchemaLike> {
  return fc.oneof(
    fc.record({ type: fc.constantFrom('bytes', 'fixed'), name: typeName, size: fixedSize, logicalType: fc.constant('decimal'), precision: fc.integer({ min: -2, max: 80 }), scale: fc.integer({ min: -2, max: 80 }) }),
    fc.record({ type: fc.constantFrom('int', 'long', 'string'), logicalType: fc.constantFrom('date', 'time-millis', 'timestamp-micros', 'uuid', 'nonsense') }),
  )
}

/**
 * A chain of `depth` nested containers (`array` of `map` of … `long`): schemas deep enough to
 * test the parser's and the decoder's recursion.
 *
 * @example
 * nestedContainers(2) // { type: 'array', items: { type: 'map', values: 'long' } }
 */
export function nestedContainers(depth: number): SchemaLike {
  let schema: SchemaLike = 'long'
  for (let level = depth - 1; level >= 0; level--) schema = level % 2 === 0 ? { type: 'array', items: schema } : { type: 'map', values: schema }
  return schema
}

/**
 * Valid schemas the decoder of random bytes works hardest on: recursion through unions,
 * nested collections, and fixed sizes larger than any payload.
 */
export const WORKING_SCHEMAS: readonly SchemaLike[] = [
  { type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }, { name: 'tag', type: 'string' }] },
  { type: 'record', name: 'Tree', fields: [{ name: 'children', type: { type: 'array', items: 'Tree' } }, { name: 'attrs', type: { type: 'map', values: ['null', 'bytes', 'double'] } }] },
  { type: 'fixed', name: 'Huge', size: 2 ** 31 - 1 },
  ['null', 'long', { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] }, { type: 'array', items: 'float' }],
  nestedContainers(60),
]
