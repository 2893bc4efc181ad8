import { validateTopicName } from '../log/topic-name.js'
import { InvalidTopicNameError } from '../log/errors.js'
import type { CliIo } from './io.js'

/** A command line that cannot be run as written: the CLI prints the message and the usage, exit 2. */
export class UsageError extends Error {
  readonly usage: string
  constructor(message: string, usage: string) {
    super(message)
    this.name = 'UsageError'
    this.usage = usage
  }
}

/** One `tributary` command: its usage text and how to run it. */
export interface Command {
  readonly name: string
  readonly usage: string
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>
}

export const DEFAULT_DATA_DIR = './tributary-data'

/** Options every command takes, for `parseArgs`. */
export const commonOptions = {
  data: { type: 'string', default: DEFAULT_DATA_DIR },
  help: { type: 'boolean', short: 'h', default: false },
} as const

export const commonOptionsUsage = `  --data DIR   the data directory (default ${DEFAULT_DATA_DIR})
  -h, --help   show this help`

/**
 * Runs a `parseArgs` call and turns its complaints (unknown option, missing value,
 * unexpected positional) into a UsageError carrying `usage`.
 */
export function parseOrUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError(error.message, usage)
    throw error
  }
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_')
}

/**
 * Joins `--flag -1` into `--flag=-1` for the named numeric flags, since `parseArgs` reads a
 * value starting with a dash as a forgotten argument (and -1 means "forever" in Kafka settings).
 *
 * @example
 * negativeValuesJoined(['--retention-ms', '-1'], ['--retention-ms']) // ['--retention-ms=-1']
 */
export function negativeValuesJoined(args: readonly string[], flags: readonly string[]): string[] {
  const joined: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const next = args[i + 1]
    if (arg === '--') {
      joined.push(...args.slice(i))
      break
    }
    if (flags.includes(arg) && next !== undefined && /^-\d+$/.test(next)) {
      joined.push(`${arg}=${next}`)
      i++
    } else {
      joined.push(arg)
    }
  }
  return joined
}

/** Takes exactly the named positional arguments, in order; too few or too many is a UsageError. */
export function takePositionals(positionals: readonly string[], names: readonly string[], usage: string): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}`, usage)
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, usage)
  }
  return [...positionals]
}

/** A topic name argument, checked by the log's own rule so a bad one is a usage error (exit 2). */
export function topicArgument(name: string, usage: string): string {
  try {
    validateTopicName(name)
    return name
  } catch (error) {
    if (error instanceof InvalidTopicNameError) throw new UsageError(error.message, usage)
    throw error
  }
}

/** The `--data` directory; an empty one is a usage error. */
export function dataDirArgument(value: string, usage: string): string {
  if (value.length === 0) throw new UsageError('--data needs a directory', usage)
  return value
}

/**
 * An integer option value within `[min, max]`, or undefined when the option was not given.
 *
 * @example
 * integerOption('--partitions', '3', { min: 1 }, usage) // 3
 * integerOption('--partitions', 'x', { min: 1 }, usage) // throws UsageError
 */
export function integerOption(
  flag: string,
  value: string | undefined,
  range: { readonly min: number; readonly max?: number },
  usage: string,
): number | undefined {
  if (value === undefined) return undefined
  const max = range.max ?? Number.MAX_SAFE_INTEGER
  const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(parsed)) {
    throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(value)}`, usage)
  }
  if (parsed < range.min || parsed > max) {
    const bound = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${max}`
    throw new UsageError(`${flag} must be ${bound}, got ${parsed}`, usage)
  }
  return parsed
}
