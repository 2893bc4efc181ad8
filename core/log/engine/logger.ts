/** Where a log's warnings go (a consumer reset to its policy, a member that missed its session). */
export interface LogLogger {
  warn(message: string): void
}

/**
 * The default logger: one line per warning on stderr.
 *
 * @example
 * stderrLogger.warn('committed offset 7 is outside orders-0 [10, 12]; resetting to earliest')
 */
export const stderrLogger: LogLogger = { warn: (message) => process.stderr.write(`[tributary] ${message}\n`) }
