/**
 * The root of every error Tributary throws. Each error carries a stable `code`
 * (documented in the README) so callers branch on codes, never on messages, and
 * a `retriable` flag that retry logic reads.
 *
 * @example
 * try { await log.createTopic('a/b', { partitions: 1 }) }
 * catch (err) { if (err instanceof TributaryError && err.code === 'TRIBUTARY_INVALID_TOPIC_NAME') … }
 */
export class TributaryError extends Error {
  readonly code: string
  readonly retriable: boolean

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.retriable = options.retriable ?? false
  }
}

/** A configuration value is missing or wrong; the message names the field. */
export class ConfigError extends TributaryError {
  readonly field: string
  constructor(field: string, message: string) {
    super('TRIBUTARY_CONFIG', `${field}: ${message}`)
    this.field = field
  }
}
