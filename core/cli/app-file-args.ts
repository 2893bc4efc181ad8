import { parseArgs } from 'node:util'
import { KAFKA_BROKERS_ENV } from '../log-from-env.js'
import { DASHBOARD_PORT_ENV, METRICS_PORT_ENV } from '../observe/observe-options.js'
import { UsageError, parseOrUsage } from './args.js'

/** What `run` and `describe` read from their command line. */
export interface AppFileCommandLine {
  readonly file: string
  /** What the app file's own argument parser sees. */
  readonly appArgs: readonly string[]
  /** Environment variables to set while the file runs (`--kafka`, `--dashboard`, `--metrics`). */
  readonly env: Readonly<Record<string, string>>
  readonly help: boolean
  /** `describe` only: the output format and file. */
  readonly format: string | undefined
  readonly out: string | undefined
}

/**
 * Splits `APP.ts [words] [--kafka B] [--data D] [-- app args]`: the command's own options come
 * before `--`; the first word is the app file; the other words, `--data DIR` and everything after
 * `--` go to the app. `--kafka` becomes `TRIBUTARY_KAFKA_BROKERS`, which `logFromEnv` reads.
 *
 * @example
 * appFileCommandLine(['app.ts', 'q1', '--kafka', 'k:9092', '--', '--events', '10'], usage)
 * // { file: 'app.ts', appArgs: ['q1', '--events', '10'], env: { TRIBUTARY_KAFKA_BROKERS: 'k:9092' }, … }
 */
export function appFileCommandLine(args: readonly string[], usage: string): AppFileCommandLine {
  const split = args.indexOf('--')
  const own = split === -1 ? [...args] : args.slice(0, split)
  const passed = split === -1 ? [] : args.slice(split + 1)
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args: own,
      allowPositionals: true,
      options: {
        kafka: { type: 'string' },
        data: { type: 'string' },
        dashboard: { type: 'string' },
        metrics: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  )
  const [file = '', ...words] = positionals
  if (!values.help && file === '') throw new UsageError('missing APP.ts', usage)
  if (values.kafka === '') throw new UsageError('--kafka needs host:port', usage)
  if (values.data === '') throw new UsageError('--data needs a directory', usage)
  const env: Record<string, string> = {}
  if (values.kafka !== undefined) env[KAFKA_BROKERS_ENV] = values.kafka
  if (values.dashboard !== undefined) env[DASHBOARD_PORT_ENV] = portArgument('--dashboard', values.dashboard, usage)
  if (values.metrics !== undefined) env[METRICS_PORT_ENV] = portArgument('--metrics', values.metrics, usage)
  return {
    file,
    appArgs: [...(values.data === undefined ? [] : ['--data', values.data]), ...words, ...passed],
    env,
    help: values.help,
    format: values.format,
    out: values.out,
  }
}

/** A TCP port option (0 picks a free one), as the text the environment variable takes. */
function portArgument(option: string, value: string, usage: string): string {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) throw new UsageError(`${option} needs a port number (0 to 65535), got ${JSON.stringify(value)}`, usage)
  return String(port)
}
