import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError, TributaryError } from '../errors.js'
import { type LaunchHook, setLaunchHook } from '../runtime/launch-hook.js'

/**
 * An app file failed on its own (threw before, while or after starting its app): the message
 * names the file and carries the app's error and stack; the error is the `cause`.
 */
export class AppFileError extends TributaryError {
  readonly file: string
  constructor(file: string, cause: unknown) {
    const detail = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)
    super('TRIBUTARY_APP_FILE', `app file ${file} failed: ${detail}`, { cause })
    this.file = file
  }
}

/** How to run an app file inside the `tributary` process. */
export interface AppFileOptions {
  /** The app file (`.ts` or `.js`), relative to the working directory. */
  readonly file: string
  /** What the file's own `parseArgs()` sees: `process.argv.slice(2)` while it is imported. */
  readonly args: readonly string[]
  /** Environment variables set while it runs; undefined removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Called by every `App.start()` of the file, before the app opens its log. */
  readonly onStart: LaunchHook
}

/**
 * Imports an app file the way `node --import tsx APP.ts ARGS` would run it (the `tributary`
 * binary registers tsx, so TypeScript needs no build), with `options.onStart` as the launch hook,
 * and hands the import's promise to `use`. When `use` ends, `process.argv`, the environment and
 * the hook are put back as they were. An error of the file that is not Tributary's own becomes an
 * AppFileError.
 *
 * @example
 * await withAppFile({ file: 'examples/wordcount/index.ts', args: [], onStart: async (app) => started.push(app) },
 *   async (imported) => { await imported; await Promise.all(started.map((app) => app.done)) })
 */
export async function withAppFile<T>(options: AppFileOptions, use: (imported: Promise<void>) => Promise<T>): Promise<T> {
  const absolute = path.resolve(options.file)
  if (!fs.existsSync(absolute)) throw new ConfigError('APP', `no app file at ${options.file}`)
  const savedArgv = process.argv
  const savedEnv = new Map(Object.keys(options.env ?? {}).map((name) => [name, process.env[name]]))
  process.argv = [process.argv[0] ?? process.execPath, absolute, ...options.args]
  for (const [name, value] of Object.entries(options.env ?? {})) setEnv(name, value)
  setLaunchHook(options.onStart)
  try {
    const imported = import(pathToFileURL(absolute).href).then(
      () => undefined,
      (error: unknown) => {
        throw error instanceof TributaryError ? error : new AppFileError(options.file, error)
      },
    )
    imported.catch(() => undefined) // `use` may settle on something else first; the rejection is still `use`'s to read
    return await use(imported)
  } finally {
    setLaunchHook(undefined)
    for (const [name, value] of savedEnv) setEnv(name, value)
    process.argv = savedArgv
  }
}

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
