import fs from 'node:fs'
import { ConfigError } from '../errors.js'
import { openEmbeddedLog } from '../log/embedded/index.js'
import type { Log } from '../log/types.js'
import type { CliIo } from './io.js'

export interface OpenLogOptions {
  readonly dataDir: string
  /**
   * Read-only opens take no lock, so they work beside a running app; commands
   * that write (produce, create, delete, group commits) open read-write.
   */
  readonly readOnly: boolean
}

/**
 * Opens the embedded log in the data directory, runs `use` with it and closes it,
 * whatever `use` does. Log warnings go to the run's stderr.
 */
export async function withLog<T>(options: OpenLogOptions, io: CliIo, use: (log: Log) => Promise<T>): Promise<T> {
  if (options.readOnly && !fs.existsSync(options.dataDir)) {
    // A read-only open must not create the directory; say plainly what is missing.
    throw new ConfigError('--data', `no data directory at ${options.dataDir}; create a topic first or pass --data DIR`)
  }
  const log = await openEmbeddedLog({
    dir: options.dataDir,
    readOnly: options.readOnly,
    logger: { warn: (message) => io.stderr.write(`warning: ${message}\n`) },
  })
  try {
    return await use(log)
  } finally {
    await log.close()
  }
}
