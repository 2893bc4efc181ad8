/**
 * The child of the file-source crash test: runs `file-source` through `startConnector` on an
 * embedded log (durability fsync) until SIGTERM (a graceful stop) or SIGKILL. The source is
 * wrapped to report on stdout what each poll returned: `polled <records this run>` after a
 * batch with records, `idle` after an empty one (the file is read to its end).
 *
 * Usage: node --import tsx test/connectors/file/file-crash-child.ts INPUT LOG_DIR PROCESSING
 */
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { defineSource } from '../../../connectors/api/define.js'
import { fileSource } from '../../../connectors/file/index.js'
import { startConnector } from '../../../connectors/runner/index.js'

const [input, logDir, processing] = process.argv.slice(2)
if (input === undefined || logDir === undefined || (processing !== 'exactly_once' && processing !== 'at_least_once')) {
  throw new Error('usage: file-crash-child.ts INPUT LOG_DIR exactly_once|at_least_once')
}

let polled = 0
const reported = defineSource<typeof fileSource.config, string, unknown>({
  ...fileSource,
  async start(config, context) {
    const task = await fileSource.start(config, context)
    return {
      ...task,
      async poll() {
        const batch = await task.poll()
        polled += batch.records.length
        process.stdout.write(batch.records.length > 0 ? `polled ${polled}\n` : 'idle\n')
        return batch
      },
    }
  },
})

const log = await openEmbeddedLog({ dir: logDir })
const connector = await startConnector(log, { name: 'crash-file', connector: reported, topic: 'lines', config: { path: input, batchSize: 500 }, processing, commitInterval: 20 }, { logSink: () => undefined })
process.once('SIGTERM', () => {
  void connector
    .stop()
    .then(() => log.close())
    .then(() => process.exit(0))
})
await connector.done
