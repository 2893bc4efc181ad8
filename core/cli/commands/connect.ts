import { parseArgs } from 'node:util'
import { openEmbeddedLog } from '../../log/embedded/index.js'
import { openKafkaLog } from '../../log/kafka/index.js'
import type { Log } from '../../log/types.js'
import { readConnectConfig, type LogChoice } from '../../../connectors/runner/connect-config.js'
import { describeConnector, startConnector, type RunningConnector } from '../../../connectors/runner/start-connector.js'
import { builtInConnectors } from '../../../connectors/runner/loader.js'
import { type Command, DEFAULT_DATA_DIR, UsageError, parseOrUsage, takePositionals } from '../args.js'
import { type CliIo, writeLine } from '../io.js'
import { watchLongWork } from '../long-work-progress.js'

const usage = `Usage: tributary connect CONFIG.json [--data DIR | --kafka BROKERS] [--describe]

Runs the connectors of CONFIG.json until interrupted (Ctrl-C or SIGTERM: each connector
writes or flushes what it read and commits, then the command exits 0). A connector that
fails stops the others and the command exits 1 with its error.

CONFIG.json:
  { "log": { "data": "./data" } | { "kafka": "127.0.0.1:9092" },
    "connectors": [ { "name": "orders-in", "connector": "file-source", "topic": "orders",
                      "config": { "path": "./orders.jsonl" }, "deadLetterTopic": "orders-dlq" } ] }
"connector" is a built-in (${builtInConnectors.join(', ')}),
a plugin path (./my-connector, relative to CONFIG.json) or an installed package's name.

Options:
  --data DIR        run on the embedded log in DIR (default: the config's "log", else ${DEFAULT_DATA_DIR})
  --kafka BROKERS   run on Apache Kafka (host:port, comma-separated)
  --describe        check the config and print each connector (secrets shown by source only), then exit
  -h, --help        show this help`

/** `tributary connect`: runs connectors standalone. */
export const connect: Command = {
  name: 'connect',
  usage,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOrUsage(usage, () =>
      parseArgs({ args: [...args], allowPositionals: true, options: { data: { type: 'string' }, kafka: { type: 'string' }, describe: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } }),
    )
    if (values.help) {
      await writeLine(io.stdout, usage)
      return 0
    }
    const [file] = takePositionals(positionals, ['CONFIG.json'], usage)
    if (values.data !== undefined && values.kafka !== undefined) throw new UsageError('give --data or --kafka, not both', usage)
    const config = await readConnectConfig(file!)
    if (values.describe) {
      for (const spec of config.connectors) await writeLine(io.stdout, JSON.stringify(describeConnector(spec)))
      return 0
    }
    const choice: LogChoice = values.kafka !== undefined ? { kafka: values.kafka } : values.data !== undefined ? { data: values.data } : (config.log ?? { data: DEFAULT_DATA_DIR })
    const log: Log = 'kafka' in choice ? await openKafkaLog({ brokers: choice.kafka }) : await openEmbeddedLog({ dir: choice.data, logger: { warn: (message) => io.stderr.write(`warning: ${message}\n`) } })
    const running: RunningConnector[] = []
    const watches: { stop(): void }[] = []
    try {
      for (const spec of config.connectors) running.push(await startConnector(log, spec))
      await writeLine(io.stderr, `running ${running.length} connector${running.length === 1 ? '' : 's'} on ${'kafka' in choice ? `Kafka at ${choice.kafka}` : `the embedded log in ${choice.data}`}; Ctrl-C stops`)
      // A sink with a large backlog (a backfill) shows a progress bar on a terminal, plain lines otherwise.
      for (const connector of running) watches.push(watchLongWork({ id: `connector ${connector.name}`, metrics: () => connector.metrics() }, { stream: io.stderr }))
      const failed = Promise.race(running.map((connector) => connector.done.then(() => new Promise<never>(() => undefined))))
      const interrupted = new Promise<void>((resolve) => {
        if (io.signal === undefined) return
        if (io.signal.aborted) resolve()
        io.signal.addEventListener('abort', () => resolve(), { once: true })
      })
      await Promise.race([failed, interrupted])
      return 0
    } finally {
      for (const watch of watches) watch.stop()
      const stopped = await Promise.allSettled(running.map((connector) => connector.stop().then(() => connector.done)))
      await log.close()
      const failure = stopped.find((result) => result.status === 'rejected')
      if (failure !== undefined && failure.status === 'rejected') throw failure.reason
    }
  },
}
