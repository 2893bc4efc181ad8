import avro from 'avsc'
import type { Type } from 'avsc'
import { ConfigError } from '../../core/errors.js'
import { foldSeed, SeededRandom } from '../nexmark/random.js'
import { logicalValue, type MakeValue } from './avro-logical.js'

/** Nesting past which unions take their null (or a non-nesting) branch and arrays and maps are empty, so recursive schemas end. */
const SOFT_DEPTH = 6
/** Nesting past which a schema is refused: a record that holds itself with no null, array or map in between has no finite value. */
const HARD_DEPTH = 64
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** avsc writes a `long` number zigzag-encoded as 2·|n|, which is exact only below 2^53: longs stay under 2^52. */
const LONG_BOUND = 2 ** 52 - 1

type Make = (random: SeededRandom, depth: number) => unknown
type Definition = Readonly<Record<string, unknown>>

/**
 * Random values that conform to an Avro schema, the same for the same seed and index: value `n`
 * is made from a random stream reset to (seed, n), so any value can be made on its own and a
 * restarted generator resumes the exact sequence. Values take the form avsc (and so the Avro
 * serde) reads and writes with default options: `long` as a number (below 2^52 in magnitude, which avsc encodes exactly), `bytes` and
 * `fixed` as Buffers, ambiguous unions wrapped (`{ "long": 5 }`), the others not.
 *
 * Covers every Avro type: records (and errors), enums, arrays, maps, unions (a branch chosen
 * uniformly, null included), fixed, bytes, and the logical types timestamp/local-timestamp
 * (millis, micros), date, time (millis, micros), uuid, decimal (bytes, fixed) and duration, each in a
 * plausible range. A recursive schema ends by taking its null branch (or an empty array or map)
 * past a few levels.
 *
 * @example
 * const values = new AvroValues({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] }, 42)
 * values.at(0) // { id: 'q3XbZ' }, the same on every run with seed 42
 */
export class AvroValues {
  readonly type: Type
  private readonly make: Make
  private readonly seed32: number
  private readonly random = new SeededRandom()

  /** Throws ConfigError (field `schema`) for a schema that is not valid Avro or has no finite value. */
  constructor(schema: unknown, seed: number) {
    try {
      this.type = avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0])
    } catch (error) {
      throw new ConfigError('schema', `is not a valid Avro schema: ${(error as Error).message}`)
    }
    this.make = compile(this.type, schema, new Map())
    this.seed32 = foldSeed(seed)
    this.at(0) // a schema with no finite value fails here, at start
  }

  /** The value at `index` (a safe integer ≥ 0). */
  at(index: number): unknown {
    this.random.reset(this.seed32, index)
    return this.make(this.random, 0)
  }
}

/**
 * Compiles the avsc type and its definition as written (which alone keeps `logicalType`, as avsc
 * drops logical types it was given no implementation for) into a value maker.
 */
function compile(type: Type, written: unknown, named: Map<string, Make>): Make {
  const definition: Definition = typeof written === 'object' && written !== null && !Array.isArray(written) ? (written as Definition) : {}
  const name = type.name
  if (name !== undefined) {
    // avsc parses in the order this walks, and Avro defines a name before any use of it: the
    // first sight of a name is its definition, every later one a reference.
    const known = named.get(name)
    if (known !== undefined) return known
    let inner: Make = () => undefined
    const make: Make = (random, depth) => inner(random, depth)
    named.set(name, make) // before the fields, which may refer to it
    inner = compileType(type, definition, named)
    return make
  }
  return compileType(type, definition, named)
}

function compileType(type: Type, definition: Definition, named: Map<string, Make>): Make {
  const logical = logicalValue(definition, type.typeName, type instanceof avro.types.FixedType ? type.size : undefined)
  if (logical !== undefined) return (random) => logical(random)
  if (type instanceof avro.types.RecordType) return record(type, definition, named)
  if (type instanceof avro.types.ArrayType) {
    const items = compile(type.itemsType, definition['items'], named)
    return (random, depth) => repeat(random, depth, () => items(random, depth + 1))
  }
  if (type instanceof avro.types.MapType) {
    const values = compile(type.valuesType as Type, definition['values'], named)
    return (random, depth) => Object.fromEntries(repeat(random, depth, () => [text(random, 1), values(random, depth + 1)] as const))
  }
  if (type instanceof avro.types.UnwrappedUnionType || type instanceof avro.types.WrappedUnionType) return union(type, definition, named)
  if (type instanceof avro.types.EnumType) {
    const symbols = type.symbols
    return (random) => symbols[random.below(symbols.length)]
  }
  if (type instanceof avro.types.FixedType) {
    const size = type.size
    return (random) => randomBytes(random, size)
  }
  const primitive = PRIMITIVES[type.typeName]
  if (primitive === undefined) throw new ConfigError('schema', `has a type the generator does not know: ${type.typeName}`)
  return (random) => primitive(random)
}

function record(type: InstanceType<typeof avro.types.RecordType>, definition: Definition, named: Map<string, Make>): Make {
  const writtenFields = Array.isArray(definition['fields']) ? (definition['fields'] as unknown[]) : []
  const fields = type.fields.map((field, index) => {
    const written = writtenFields[index]
    const writtenType = typeof written === 'object' && written !== null ? (written as Definition)['type'] : undefined
    return { name: field.name, make: compile(field.type, writtenType, named) }
  })
  return (random, depth) => {
    if (depth > HARD_DEPTH) throw new ConfigError('schema', `has no finite value: record ${String(type.name)} holds itself with no null, array or map in between`)
    const value: Record<string, unknown> = {}
    for (const field of fields) value[field.name] = field.make(random, depth + 1)
    return value
  }
}

function union(type: Type & { readonly types: readonly Type[] }, definition: unknown, named: Map<string, Make>): Make {
  const written = Array.isArray(definition) ? definition : []
  const wrapped = type instanceof avro.types.WrappedUnionType
  const branches = type.types.map((branch, index) => {
    const make = compile(branch, written[index], named)
    const isNull = branch.typeName === 'null'
    const nests = !isNull && !PRIMITIVES[branch.typeName] && !(branch instanceof avro.types.EnumType) && !(branch instanceof avro.types.FixedType)
    const branchName = branch.branchName ?? branch.typeName
    const value: Make = wrapped && !isNull ? (random, depth) => ({ [branchName]: make(random, depth) }) : make
    return { value, nests }
  })
  const shallow = branches.filter((branch) => !branch.nests)
  return (random, depth) => {
    const choices = depth >= SOFT_DEPTH && shallow.length > 0 ? shallow : branches
    const branch = choices[random.below(choices.length)] as (typeof branches)[number]
    return branch.value(random, depth + 1)
  }
}

function repeat<T>(random: SeededRandom, depth: number, make: () => T): T[] {
  const count = depth >= SOFT_DEPTH ? 0 : random.below(5)
  const items: T[] = []
  for (let i = 0; i < count; i++) items.push(make())
  return items
}

function text(random: SeededRandom, minLength = 0): string {
  const length = minLength + random.below(17 - minLength)
  let result = ''
  for (let i = 0; i < length; i++) result += ALPHABET[random.below(ALPHABET.length)]
  return result
}

function randomBytes(random: SeededRandom, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = random.below(256)
  return bytes
}

const PRIMITIVES: Readonly<Record<string, MakeValue>> = {
  null: () => null,
  boolean: (random) => random.below(2) === 1,
  int: (random) => random.nextUint32() | 0,
  long: (random) => Math.floor((random.nextDouble() * 2 - 1) * LONG_BOUND),
  float: (random) => Math.fround((random.nextDouble() * 2 - 1) * 1e6),
  double: (random) => (random.nextDouble() * 2 - 1) * 1e9,
  bytes: (random) => randomBytes(random, random.below(17)),
  string: (random) => text(random),
}
