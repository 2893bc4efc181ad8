import { pino, destination, type Logger } from 'pino'
import type { AppLogger } from '../runtime/app-options.js'

/** Levels of `logLevel`, quietest last: `silent` logs nothing. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/** An app logger that is a pino logger too: `child` loggers, `debug`, `error` and the rest. */
export type PinoAppLogger = AppLogger & Pick<Logger, 'trace' | 'debug' | 'error' | 'fatal' | 'child' | 'level'>

/**
 * A structured logger: JSON lines on stderr (written synchronously, so the last lines before
 * an exit are not lost), from `level` up, each with the app's id when given.
 *
 * @example
 * const app = new App({ id: 'wordcount', log, logger: pinoLogger('debug', { app: 'wordcount' }) })
 * // {"level":30,"time":1764150000000,"app":"wordcount","msg":"stopping wordcount: ..."}
 */
export function pinoLogger(level: LogLevel = 'info', bindings: Readonly<Record<string, string>> = {}): PinoAppLogger {
  return pino({ level, base: { ...bindings } }, destination({ fd: 2, sync: true }))
}

/**
 * Checks a log level named in an option or environment variable.
 *
 * @example
 * isLogLevel('warn') // true
 */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)
}
