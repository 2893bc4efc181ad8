import { TributaryError } from '../errors.js'
import { type Command, UsageError } from './args.js'
import { connect } from './commands/connect.js'
import { consume } from './commands/consume.js'
import { describeCommand } from './commands/describe.js'
import { dlq } from './commands/dlq.js'
import { produce } from './commands/produce.js'
import { runCommand } from './commands/run.js'
import { topics } from './commands/topics.js'
import { type CliIo, writeLine } from './io.js'
import { mainUsage } from './usage.js'

export type { CliIo } from './io.js'

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2
const EXIT_SIGINT = 130

/** Commands that import an app file: the file's own timers may outlive it, so the process exits when the command ends. */
const APP_FILE_COMMANDS: ReadonlySet<string> = new Set([runCommand.name, describeCommand.name])

const commands: ReadonlyMap<string, Command> = new Map([topics, produce, consume, connect, runCommand, describeCommand, dlq].map((command) => [command.name, command]))

/**
 * Runs the `tributary` command line and resolves to its exit code: 0 done, 1 when the log
 * refused (a TributaryError, printed as `error: <message> (<code>)`), 2 for a bad command
 * line (what was wrong, then the usage). Never throws for these.
 *
 * @example
 * const code = await main(['topics', 'list', '--data', dir], { stdin, stdout, stderr })
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    return report(error, io)
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  if (name === '--help' || name === '-h') return printHelp(undefined, io)
  if (name === 'help') {
    if (args.length > 1) throw new UsageError(`help takes one command, got ${args.join(' ')}`, mainUsage)
    return printHelp(args[0], io)
  }
  if (name === undefined) throw new UsageError('missing command', mainUsage)
  if (name.startsWith('-')) throw new UsageError(`unknown option ${name}; options go after the command`, mainUsage)
  const command = commands.get(name)
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`, mainUsage)
  return command.run(args, io)
}

async function printHelp(commandName: string | undefined, io: CliIo): Promise<number> {
  if (commandName === undefined) {
    await writeLine(io.stdout, mainUsage)
    return EXIT_OK
  }
  const command = commands.get(commandName)
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(commandName)}`, mainUsage)
  await writeLine(io.stdout, command.usage)
  return EXIT_OK
}

async function report(error: unknown, io: CliIo): Promise<number> {
  if (error instanceof UsageError) {
    await writeLine(io.stderr, `error: ${error.message}\n\n${error.usage}`)
    return EXIT_USAGE
  }
  if (error instanceof TributaryError) {
    await writeLine(io.stderr, `error: ${error.message} (${error.code})`)
    return EXIT_FAILED
  }
  if (isBrokenPipe(error)) return EXIT_OK // the reader of our output went away (`| head`): nothing left to do
  // Anything else is a bug in Tributary: show all there is.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
  await writeLine(io.stderr, `internal error: ${detail}`)
  return EXIT_FAILED
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EPIPE'
}

/**
 * The process entry used by `tributary.js`: runs `main` on the process's arguments and
 * streams, turns the first SIGINT into a clean stop and a second into an immediate exit.
 */
export async function runFromProcess(): Promise<void> {
  const interrupt = new AbortController()
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT_SIGINT)
    interrupt.abort()
  }
  process.on('SIGINT', onSigint)
  // SIGTERM (a service manager stopping us) asks for the same clean stop as a first Ctrl-C.
  const onSigterm = (): void => interrupt.abort()
  process.on('SIGTERM', onSigterm)
  // The log's timers are unref'd so a log never holds a process open; the CLI does want
  // to wait (a tailing consume polls a quiet topic), so it holds the process until main ends.
  const keepAlive = setInterval(() => {}, 1 << 30)
  // A closed pipe surfaces as a rejected write; without a listener it would also crash the process.
  process.stdout.on('error', () => {})
  try {
    process.exitCode = await main(process.argv.slice(2), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: interrupt.signal,
    })
  } finally {
    clearInterval(keepAlive)
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigterm)
  }
  if (APP_FILE_COMMANDS.has(process.argv[2] ?? '')) process.exit()
}
