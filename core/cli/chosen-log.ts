import { openKafkaLog } from '../log/kafka/index.js'
import type { Log } from '../log/types.js'
import type { CliIo } from './io.js'
import { withLog } from './open-log.js'

/** The embedded log in a data directory, or Kafka at some brokers. */
export interface LogChoiceOptions {
  readonly dataDir: string
  /** Bootstrap brokers (`host:port`, comma-separated): Kafka instead of the data directory. */
  readonly kafka: string | undefined
  /** For the embedded log: open without a lock (reads only). */
  readonly readOnly: boolean
}

/**
 * Runs `use` with the log chosen on the command line (`--kafka BROKERS`, else `--data DIR`)
 * and closes it, whatever `use` does.
 *
 * @example
 * await withChosenLog({ dataDir: './data', kafka: undefined, readOnly: true }, io, (log) => log.listTopics())
 */
export async function withChosenLog<T>(options: LogChoiceOptions, io: CliIo, use: (log: Log) => Promise<T>): Promise<T> {
  if (options.kafka === undefined) return withLog({ dataDir: options.dataDir, readOnly: options.readOnly }, io, use)
  const log = await openKafkaLog({ brokers: options.kafka })
  try {
    return await use(log)
  } finally {
    await log.close()
  }
}
