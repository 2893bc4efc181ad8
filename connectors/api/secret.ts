import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { ConfigError } from '../../core/errors.js'

const REDACTED = '[redacted]'

/**
 * A secret from a connector's config (a password, a token), taken from an environment
 * variable or a file, never written in the config itself. It prints as `[redacted]` everywhere
 * (`String(secret)`, `JSON.stringify`, `console.log`, error messages), so a connector that logs
 * its config cannot leak it; `reveal()` gives the value to the code that needs it.
 *
 * @example
 * const token = Secret.fromEnv('WEBHOOK_TOKEN')
 * fetch(url, { headers: { authorization: `Bearer ${token.reveal()}` } })
 */
export class Secret {
  readonly #value: string
  /** Where it came from (`env:NAME` or `file:PATH`), safe to print. */
  readonly source: string

  private constructor(value: string, source: string) {
    this.#value = value
    this.source = source
  }

  /** The secret held by environment variable `name`; a ConfigError when it is unset or empty. */
  static fromEnv(name: string, field = 'secret', env: NodeJS.ProcessEnv = process.env): Secret {
    const value = env[name]
    if (value === undefined || value === '') throw new ConfigError(field, `environment variable ${name} is not set (it should hold the secret)`)
    return new Secret(value, `env:${name}`)
  }

  /** The secret in file `path` (trailing newline dropped, as Docker and Kubernetes secrets have one). */
  static fromFile(path: string, field = 'secret'): Secret {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      throw new ConfigError(field, `cannot read the secret file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
    const value = text.replace(/\r?\n$/, '')
    if (value === '') throw new ConfigError(field, `the secret file ${path} is empty`)
    return new Secret(value, `file:${path}`)
  }

  /** The value. Pass it to the client that needs it; never log it. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return REDACTED
  }
}

/**
 * Replaces every occurrence of the given secrets' values in a text by `[redacted]`: the last
 * guard for messages that embed a secret anyway (a client library's error quoting a connection
 * string, say).
 *
 * @example
 * redact(`login failed for ${url}`, [password]) // 'login failed for postgres://app:[redacted]@db'
 */
export function redact(text: string, secrets: Iterable<Secret>): string {
  let result = text
  for (const secret of secrets) {
    const value = secret.reveal()
    if (value.length < 4) continue // too short to tell apart from ordinary text
    result = result.split(value).join(REDACTED)
    const encoded = encodeURIComponent(value)
    if (encoded !== value) result = result.split(encoded).join(REDACTED)
  }
  return result
}
