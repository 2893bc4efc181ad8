import { ConfigError } from '../../core/errors.js'
import { toMillis, type Duration } from '../../core/time/duration.js'
import { Secret } from './secret.js'

/**
 * One field of a connector's config schema: how to check and read it. Made with `field.*`;
 * a schema is a plain object of fields, and `ConfigOf<typeof schema>` is the type a connector's
 * `start` receives.
 */
export interface Field<T> {
  /** What the field holds, for messages and `describe`: `string`, `integer ≥ 1`, … */
  readonly kind: string
  readonly doc: string | undefined
  readonly optional: boolean
  readonly hasDefault: boolean
  /** True for secrets: describe output shows where the value comes from, never the value. */
  readonly secret: boolean
  /** Checks a raw value (present: not undefined) and turns it into `T`; throws ConfigError naming `path`. */
  parse(value: unknown, path: string): T
  /** The default, or undefined. */
  fallback(): T | undefined
}

/** A connector's config schema: field name → field. */
export type ConfigSchema = Readonly<Record<string, Field<unknown>>>

/** The checked config a connector receives: each field's type; optional fields without default may be undefined. */
export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends Field<infer T> ? (S[K] extends { readonly required: false } ? T | undefined : T) : never
}

/** What a secret field takes in a config: the environment variable or the file that holds it (or a Secret, in code). */
export type SecretInput = { readonly env: string } | { readonly file: string } | Secret

/** What a config file or object may give for a field of type `T`. */
type InputOf<T> = T extends Secret ? SecretInput : T extends number ? number | (T extends Duration ? string : never) : T extends readonly (infer I)[] ? readonly InputOf<I>[] : T

/** The config as written: required fields must be there, fields with a default or optional may be left out. */
export type ConfigInput<S extends ConfigSchema> = {
  readonly [K in keyof S as S[K] extends { readonly required: true } ? K : never]: S[K] extends Field<infer T> ? InputOf<T> : never
} & {
  readonly [K in keyof S as S[K] extends { readonly required: true } ? never : K]?: S[K] extends Field<infer T> ? InputOf<T> : never
}

interface Options<T> {
  /** One line on what the field is for: shown in errors and `describe`. */
  readonly doc?: string
  /** Used when the field is left out. */
  readonly default?: T
}

type Built<T, O> = Field<T> & { readonly required: O extends { readonly optional: true } ? false : O extends { readonly default: unknown } ? 'default' : true }

function build<T, O extends { readonly doc?: string; readonly default?: unknown; readonly optional?: boolean }>(kind: string, options: O | undefined, parse: (value: unknown, path: string) => T, secret = false): Built<T, O> {
  const hasDefault = options?.default !== undefined
  const required = options?.optional === true ? false : hasDefault ? 'default' : true
  return {
    kind,
    doc: options?.doc,
    optional: options?.optional === true,
    hasDefault,
    secret,
    required,
    parse,
    fallback: () => options?.default,
  } as unknown as Built<T, O>
}

function fail(path: string, kind: string, value: unknown, doc: string | undefined): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value)
  throw new ConfigError(path, `must be ${kind}${doc === undefined ? '' : ` (${doc})`}, got ${shown}`)
}

/**
 * The field types of a connector config schema.
 *
 * @example
 * const schema = {
 *   path: field.string({ doc: 'the file to read' }),
 *   format: field.oneOf(['jsonl', 'csv'] as const, { default: 'jsonl' }),
 *   batchSize: field.integer({ min: 1, default: 1000 }),
 *   password: field.secret({ optional: true }),
 * }
 */
export const field = {
  string<O extends Options<string> & { readonly optional?: boolean; readonly pattern?: RegExp; readonly nonEmpty?: boolean }>(options?: O) {
    const kind = options?.pattern === undefined ? (options?.nonEmpty === false ? 'a string' : 'a non-empty string') : `a string matching ${String(options.pattern)}`
    return build<string, O>(kind, options, (value, path) => {
      if (typeof value !== 'string') fail(path, kind, value, options?.doc)
      if (options?.nonEmpty !== false && value === '') fail(path, kind, value, options?.doc)
      if (options?.pattern !== undefined && !options.pattern.test(value)) fail(path, kind, value, options.doc)
      return value
    })
  },

  integer<O extends Options<number> & { readonly optional?: boolean; readonly min?: number; readonly max?: number }>(options?: O) {
    const bounds = [options?.min === undefined ? '' : ` ≥ ${options.min}`, options?.max === undefined ? '' : ` ≤ ${options.max}`].join('')
    const kind = `an integer${bounds}`
    return build<number, O>(kind, options, (value, path) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, kind, value, options?.doc)
      if ((options?.min !== undefined && value < options.min) || (options?.max !== undefined && value > options.max)) fail(path, kind, value, options?.doc)
      return value
    })
  },

  number<O extends Options<number> & { readonly optional?: boolean; readonly min?: number; readonly max?: number }>(options?: O) {
    const kind = `a number${options?.min === undefined ? '' : ` ≥ ${options.min}`}${options?.max === undefined ? '' : ` ≤ ${options.max}`}`
    return build<number, O>(kind, options, (value, path) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, kind, value, options?.doc)
      if ((options?.min !== undefined && value < options.min) || (options?.max !== undefined && value > options.max)) fail(path, kind, value, options?.doc)
      return value
    })
  },

  boolean<O extends Options<boolean> & { readonly optional?: boolean }>(options?: O) {
    return build<boolean, O>('true or false', options, (value, path) => {
      if (typeof value !== 'boolean') fail(path, 'true or false', value, options?.doc)
      return value
    })
  },

  /** One of the given strings. */
  oneOf<const C extends readonly string[], O extends Options<C[number]> & { readonly optional?: boolean }>(choices: C, options?: O) {
    const kind = `one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}`
    return build<C[number], O>(kind, options, (value, path) => {
      if (typeof value !== 'string' || !choices.includes(value)) fail(path, kind, value, options?.doc)
      return value as C[number]
    })
  },

  /** A duration in milliseconds, written as a number of ms or as a string such as `'5s'`, `'10m'`. */
  duration<O extends Options<Duration> & { readonly optional?: boolean }>(options?: O) {
    const kind = 'a duration (milliseconds, or a string such as "5s")'
    const field = build<number, O>(kind, options, (value, path) => {
      if (typeof value !== 'number' && typeof value !== 'string') fail(path, kind, value, options?.doc)
      try {
        return toMillis(value as Duration, path)
      } catch {
        return fail(path, kind, value, options?.doc)
      }
    })
    const fallback = options?.default
    return { ...field, fallback: () => (fallback === undefined ? undefined : toMillis(fallback, 'default')) } as typeof field
  },

  /**
   * A secret (a password, a token): given as `{ "env": "NAME" }` or `{ "file": "/run/secrets/x" }`,
   * never as a literal, so configs can be committed and shared. Read as a `Secret`.
   */
  secret<O extends { readonly doc?: string; readonly optional?: boolean }>(options?: O) {
    const kind = 'a secret given as {"env": "VARIABLE"} or {"file": "/path/to/file"}'
    return build<Secret, O>(kind, options, (value, path) => {
      if (value instanceof Secret) return value
      if (typeof value === 'string') throw new ConfigError(path, 'is a secret and is not written in the config: give {"env": "VARIABLE"} or {"file": "/path/to/file"} that holds it')
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const entries = Object.entries(value)
        if (entries.length === 1) {
          const [source, name] = entries[0] as [string, unknown]
          if (source === 'env' && typeof name === 'string' && name !== '') return Secret.fromEnv(name, path)
          if (source === 'file' && typeof name === 'string' && name !== '') return Secret.fromFile(name, path)
        }
      }
      return fail(path, kind, value, options?.doc)
    }, true)
  },

  /** A list of values of one field type. */
  list<T, O extends Options<readonly T[]> & { readonly optional?: boolean; readonly minLength?: number }>(item: Field<T>, options?: O) {
    const kind = `a list of ${item.kind}${options?.minLength === undefined ? '' : ` (at least ${options.minLength})`}`
    return build<readonly T[], O>(kind, options, (value, path) => {
      if (!Array.isArray(value)) fail(path, kind, value, options?.doc)
      if (options?.minLength !== undefined && value.length < options.minLength) fail(path, kind, value, options.doc)
      return value.map((entry, index) => item.parse(entry, `${path}[${index}]`))
    })
  },

  /** A free-form JSON object (a schema, a map of column types): checked only to be an object. */
  json<T extends object, O extends Options<T> & { readonly optional?: boolean }>(options?: O) {
    return build<T, O>('an object', options, (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value, options?.doc)
      return value as T
    })
  },
}

/**
 * Checks a config against a schema and returns it typed, defaults filled in. Every problem is
 * a ConfigError naming the field by its path (`connectors.orders.config.path`); a field the
 * schema does not know is refused too, as a typo would otherwise pass unnoticed.
 *
 * @example
 * const config = parseConfig(schema, { path: 'in.jsonl' }, 'connectors.orders.config')
 */
export function parseConfig<S extends ConfigSchema>(schema: S, input: unknown, path: string): ConfigOf<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError(path, 'must be an object of the connector\'s settings')
  const raw = input as Record<string, unknown>
  for (const name of Object.keys(raw)) {
    if (!Object.hasOwn(schema, name)) throw new ConfigError(`${path}.${name}`, `is not a setting of this connector; it takes ${Object.keys(schema).join(', ') || 'none'}`)
  }
  const result: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(schema)) {
    const value = raw[name]
    if (value === undefined) {
      if (spec.hasDefault) result[name] = spec.fallback()
      else if (!spec.optional) throw new ConfigError(`${path}.${name}`, `is required: ${spec.kind}${spec.doc === undefined ? '' : ` (${spec.doc})`}`)
      continue
    }
    result[name] = spec.parse(value, `${path}.${name}`)
  }
  return result as ConfigOf<S>
}

/** The secrets in a parsed config, for redaction. */
export function secretsOf(config: object): Secret[] {
  const found: Secret[] = []
  const visit = (value: unknown): void => {
    if (value instanceof Secret) found.push(value)
    else if (Array.isArray(value)) value.forEach(visit)
  }
  for (const value of Object.values(config)) visit(value)
  return found
}

/**
 * A config for printing (`describe`, logs): secrets shown as where they come from, never their value.
 *
 * @example
 * describeConfig({ user: 'app', password: secret }) // { user: 'app', password: '[secret from env:PGPASSWORD]' }
 */
export function describeConfig(config: object): Record<string, unknown> {
  const shown: Record<string, unknown> = {}
  const show = (value: unknown): unknown => (value instanceof Secret ? `[secret from ${value.source}]` : Array.isArray(value) ? value.map(show) : value)
  for (const [name, value] of Object.entries(config)) shown[name] = show(value)
  return shown
}
