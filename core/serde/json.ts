import { reasonOf, SerdeError } from './errors.js'
import type { Serde, SerdeContext } from './types.js'
import { decodeUtf8 } from './utf8.js'
import { shapeProblem, validateShape, type JsonShape, type JsonValueOf } from './json-shape.js'
import { compileShapeCodec } from './json-shape-codec.js'

/** Options of `serdes.json` with a guard. */
export interface JsonOptions<T> {
  /**
   * Checks the parsed value once, at the edge, so the app gets a `T` it can trust. A value it
   * rejects is a `SerdeError` naming the guard. Values being serialized are typed already and
   * are not checked again.
   */
  readonly guard: (value: unknown) => value is T
  /** Shown as `json(<name>)` in messages and describe output; default the guard's function name. */
  readonly name?: string
}

/** Options of `serdes.json` with a declared shape. */
export interface JsonShapeOptions<S extends JsonShape> {
  /**
   * The value's fields and their kinds (`'string'`, `'number'`, `'boolean'`, `[kind]` for an
   * array, or a nested shape), in the order they are written. It types the serde, checks every
   * value read (a value off the shape is a `SerdeError` naming the field; fields it does not
   * name are kept) and every value written (only its fields are written), and compiles a check
   * and a writer for it (faster than a guard written by hand and `JSON.stringify`).
   */
  readonly shape: S
  /** Shown as `json(<name>)` in messages and describe output; default `json(shape)`. */
  readonly name?: string
}

/**
 * JSON in UTF-8. With a `shape`, the value's type is the shape's and values are checked against
 * it both ways, by code compiled for it. With a `guard`, parsed values are checked and typed by
 * it. Without either, the type is what the caller declares (default `unknown`), taken on trust.
 *
 * Serializing a value JSON cannot represent (`undefined`, a function, a bigint, a cycle) is a
 * `SerdeError`. Note that JSON turns `NaN` and `Infinity` into `null` and drops `undefined`
 * fields, as `JSON.stringify` does.
 *
 * @example
 * interface Order { id: string; total: number }
 * const isOrder = (v: unknown): v is Order =>
 *   typeof v === 'object' && v !== null && typeof (v as Order).id === 'string' && typeof (v as Order).total === 'number'
 *
 * const orders = serdes.json({ guard: isOrder })            // Serde<Order>, checked
 * const items = serdes.json({ shape: { id: 'string', total: 'number', tags: ['string'] }, name: 'Item' })
 * // Serde<{ readonly id: string; readonly total: number; readonly tags: readonly string[] }>, checked and compiled
 * const loose = serdes.json<{ note: string }>()             // Serde<{ note: string }>, trusted
 * orders.deserialize(Buffer.from('{"id":"o1","total":5}'), { topic: 'orders', isKey: false })
 *
 * @see string
 */
export function json<const S extends JsonShape>(options: JsonShapeOptions<S>): Serde<JsonValueOf<S>>
export function json<T>(options: JsonOptions<T>): Serde<T>
export function json<T = unknown>(): Serde<T>
export function json<T>(options?: JsonOptions<T> | JsonShapeOptions<JsonShape>): Serde<T> {
  if (options !== undefined && 'shape' in options) return shapedJson(options) as Serde<T>
  const guard = options?.guard
  const guardName = options?.name ?? (guard?.name || undefined)
  const name = guardName === undefined ? 'json' : `json(${guardName})`
  const narrow = (value: unknown, text: string, context: SerdeContext): T => {
    if (guard === undefined) return value as T // no guard: the caller declared T and vouches for it
    const rejectedBy = guard.name === '' ? 'the guard' : guard.name
    let accepted: boolean
    try {
      accepted = guard(value)
    } catch (err) {
      // A guard that throws (or overflows its stack on a deeply nested value) rejects it too.
      throw new SerdeError('deserialize', context, name, `${rejectedBy} threw on the value: ${reasonOf(err)}; the value: ${preview(text)}`, err)
    }
    if (accepted) return value as T // the guard vouched for it
    throw new SerdeError('deserialize', context, name, `${rejectedBy} rejected the value: ${preview(text)}`)
  }
  return {
    name,
    serialize: (value: T, context: SerdeContext) => {
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch (err) {
        throw new SerdeError('serialize', context, name, reasonOf(err), err)
      }
      if (text === undefined) throw new SerdeError('serialize', context, name, `${typeof value} has no JSON form`)
      return Buffer.from(text, 'utf8')
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      const text = textOf(bytes, context, name)
      return narrow(parsedText(text, context, name), text, context)
    },
  }
}

function shapedJson<S extends JsonShape>(options: JsonShapeOptions<S>): Serde<JsonValueOf<S>> {
  const shape = options.shape
  validateShape(shape, 'shape')
  const codec = compileShapeCodec(shape)
  const name = `json(${options.name ?? 'shape'})`
  return {
    name,
    serialize: (value: JsonValueOf<S>, context: SerdeContext) => {
      try {
        return codec.write(value)
      } catch (err) {
        throw new SerdeError('serialize', context, name, reasonOf(err), err)
      }
    },
    deserialize: (bytes: Buffer, context: SerdeContext) => {
      const text = textOf(bytes, context, name)
      const parsed = parsedText(text, context, name)
      if (codec.check(parsed)) return parsed as JsonValueOf<S>
      const problem = shapeProblem(shape, parsed, 'value') ?? 'the value is off the shape'
      throw new SerdeError('deserialize', context, name, `${problem}; the value: ${preview(text)}`)
    },
  }
}

/** The bytes as UTF-8 text; bytes that are not UTF-8 are a SerdeError of the serde `name`. */
function textOf(bytes: Buffer, context: SerdeContext, name: string): string {
  try {
    return decodeUtf8(bytes)
  } catch (err) {
    throw new SerdeError('deserialize', context, name, reasonOf(err), err)
  }
}

/** The value of JSON text; text that is not JSON is a SerdeError of the serde `name`. */
function parsedText(text: string, context: SerdeContext, name: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new SerdeError('deserialize', context, name, reasonOf(err), err)
  }
}

/**
 * The start of a value's JSON text as it came, for an error message: never the whole value
 * stringified again (it may be huge, or nested too deep for JSON.stringify's recursion).
 */
function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
