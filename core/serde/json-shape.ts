/**
 * Declared shapes of JSON values: what `serdes.json({ shape })` types and checks values by, and
 * compiles its check and writer from (json-shape-codec.ts).
 */
import { ConfigError } from '../errors.js'

/** A field's kind: a primitive, an array of one kind (`['number']`), or a nested shape. */
export type JsonKind = 'string' | 'number' | 'boolean' | readonly [JsonKind] | JsonShape

/** An object's fields and their kinds, in the order they are written. Every field is required. */
export interface JsonShape {
  readonly [field: string]: JsonKind
}

/**
 * The TypeScript type a kind describes.
 *
 * @example
 * type Point = JsonValueOf<{ x: 'number'; y: 'number'; tags: ['string'] }>
 * // { readonly x: number; readonly y: number; readonly tags: readonly string[] }
 */
export type JsonValueOf<K> = K extends 'string'
  ? string
  : K extends 'number'
    ? number
    : K extends 'boolean'
      ? boolean
      : K extends readonly [infer E]
        ? readonly JsonValueOf<E>[]
        : K extends JsonShape
          ? { readonly [F in keyof K]: JsonValueOf<K[F]> }
          : never

/**
 * Throws `ConfigError` naming the first field whose kind is not one of the above.
 *
 * @example
 * validateShape({ id: 'number', name: 'text' }, 'shape') // ConfigError: shape.name: …
 */
export function validateShape(shape: unknown, path: string): asserts shape is JsonShape {
  if (typeof shape !== 'object' || shape === null || Array.isArray(shape)) throw new ConfigError(path, `a shape is an object of fields and their kinds, got ${describe(shape)}`)
  for (const [field, kind] of Object.entries(shape)) {
    // An object literal's "__proto__" sets the prototype; a value would not round-trip.
    if (field === '__proto__') throw new ConfigError(`${path}.__proto__`, 'a shape cannot have a field named __proto__')
    validateKind(kind, `${path}.${field}`)
  }
}

function validateKind(kind: unknown, path: string): void {
  if (kind === 'string' || kind === 'number' || kind === 'boolean') return
  if (Array.isArray(kind)) {
    if (kind.length !== 1) throw new ConfigError(path, `an array kind lists the kind of its elements once, as ['number'], got ${kind.length} kinds`)
    validateKind(kind[0], `${path}[]`)
    return
  }
  if (typeof kind === 'object' && kind !== null) return validateShape(kind, path)
  throw new ConfigError(path, `a kind is 'string', 'number', 'boolean', [kind] or a nested shape, got ${describe(kind)}`)
}

/**
 * What is wrong with `value` as a value of `kind`, naming the first field that is wrong
 * (`undefined` when nothing is). Fields the shape does not name are allowed.
 *
 * @example
 * shapeProblem({ id: 'number' }, { id: '7' }, 'value') // 'value.id is a string, not a number'
 */
export function shapeProblem(kind: JsonKind, value: unknown, path: string): string | undefined {
  if (typeof kind === 'string') {
    if (typeof value === kind && (kind !== 'number' || Number.isFinite(value))) return undefined
    return `${path} is ${describe(value)}, not a ${kind}`
  }
  if (isArrayKind(kind)) {
    if (!Array.isArray(value)) return `${path} is ${describe(value)}, not an array`
    for (let index = 0; index < value.length; index++) {
      const problem = shapeProblem(kind[0], value[index], `${path}[${index}]`)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} is ${describe(value)}, not an object`
  for (const field of Object.keys(kind)) {
    const fieldValue = (value as Record<string, unknown>)[field]
    if (fieldValue === undefined && !(field in value)) return `${path}.${field} is missing`
    const problem = shapeProblem(kind[field]!, fieldValue, `${path}.${field}`)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** True for an array kind (`['number']`). */
export function isArrayKind(kind: JsonKind): kind is readonly [JsonKind] {
  return Array.isArray(kind)
}

/** A value's type for a message: `a string`, `null`, `an array`, `NaN`, … */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  const type = typeof value
  return type === 'undefined' ? 'undefined' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}
