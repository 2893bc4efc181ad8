import { KAFKA_BROKERS_ENV } from '../../log-from-env.js'
import type { App } from '../../runtime/app.js'
import { TributaryError } from '../../errors.js'
import { AppFileError, withAppFile } from '../app-file.js'
import { type AppFileCommandLine, appFileCommandLine } from '../app-file-args.js'
import { type Command, UsageError } from '../args.js'
import { type CliIo, writeLine } from '../io.js'
import { watchLongWork } from '../long-work-progress.js'

const usage = `Usage: tributary run APP.ts [APP_ARGS...] [--kafka BROKERS] [--data DIR] [--dashboard PORT] [--metrics PORT] [-- APP_ARGS...]

Runs an app file in this process; TypeScript runs without a build step. The file runs as
with 'node --import tsx APP.ts APP_ARGS': it reads its own arguments (the words after
APP.ts, and everything after --), prepares its input and starts its apps. The command
ends when the file has finished and every app it started has stopped. Ctrl-C or SIGTERM
stops the running apps (each finishes the records in hand and commits) and exits 0, as
an app's own signal handling does. Long work of an app (its stores restoring from their
changelogs, a backlog of 10,000 records or more, as when it reads a topic from the
beginning) shows a progress bar on stderr, or plain log lines when stderr is no terminal.

Options:
  --kafka BROKERS   run on Apache Kafka (host:port, comma-separated): sets
                    ${KAFKA_BROKERS_ENV}, which apps that open their log with
                    logFromEnv(...) read, as the examples do
  --data DIR        passed on to the app as its own '--data DIR' (where the app keeps its
                    log and state; examples/wordcount takes it)
  --dashboard PORT  serve the app's live dashboard at http://127.0.0.1:PORT/, with its
                    Prometheus metrics at /metrics and health at /health/live and /health/ready
                    (0 picks a free port; the app logs the address)
  --metrics PORT    serve only the metrics and health endpoints
  -h, --help        show this help

Examples:
  tributary run examples/wordcount/index.ts --data ./wordcount-data
  tributary run examples/wordcount/index.ts --dashboard 8080
  tributary run examples/nexmark/index.ts q1 q5 --kafka 127.0.0.1:9092 -- --events 5000`

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const commandLine = appFileCommandLine(args, usage)
  if (commandLine.help) {
    await writeLine(io.stdout, usage)
    return 0
  }
  if (commandLine.format !== undefined || commandLine.out !== undefined) throw new UsageError('--format and --out belong to describe', usage)
  const started: App[] = []
  const watches: { stop(): void }[] = []
  const onStart = async (app: App): Promise<void> => {
    started.push(app)
    watches.push(watchLongWork(app, { stream: io.stderr }))
    await writeLine(io.stderr, `starting app ${app.id}`)
  }
  try {
    return await runStarted(commandLine, started, io, onStart)
  } finally {
    for (const watch of watches) watch.stop()
  }
}

/** Imports the file and waits for it and for the apps it starts (`started`, filled by `onStart`). */
async function runStarted(commandLine: AppFileCommandLine, started: readonly App[], io: CliIo, onStart: (app: App) => Promise<void>): Promise<number> {
  return withAppFile({ file: commandLine.file, args: commandLine.appArgs, env: commandLine.env, onStart }, async (imported) => {
    const interrupted = abortion(io.signal)
    // The file's own work may never end once its apps are stopped under it (a loop waiting for a
    // count), so an interrupt does not wait for the file, only for the apps.
    const outcome = await Promise.race([imported.then(() => 'finished' as const), interrupted.then(() => 'interrupted' as const)])
    if (outcome === 'interrupted') {
      await Promise.allSettled(started.map((app) => app.stop()))
      await writeLine(io.stderr, `stopped ${started.length} app${started.length === 1 ? '' : 's'}`)
      return 0
    }
    // A file may start an app and end (a service): the run lasts as long as its apps.
    const stopOnInterrupt = (): void => void Promise.allSettled(started.map((app) => app.stop()))
    io.signal?.addEventListener('abort', stopOnInterrupt, { once: true })
    try {
      await Promise.all(started.map((app) => app.done.catch((error: unknown) => Promise.reject(error instanceof TributaryError ? error : new AppFileError(commandLine.file, error)))))
    } finally {
      io.signal?.removeEventListener('abort', stopOnInterrupt)
    }
    return 0
  })
}

/** Resolves when the signal aborts; never when there is none. */
function abortion(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return
    if (signal.aborted) resolve()
    signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

/** `tributary run`: runs an app file. */
export const runCommand: Command = { name: 'run', usage, run }
