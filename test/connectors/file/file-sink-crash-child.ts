/**
 * The child of the file-sink durability test: runs the `file-sink` task directly, putting
 * numbered records in batches of 100 and flushing after each, printing `flushed <records>` once
 * a flush has resolved, until it is killed.
 *
 * Usage: node --import tsx test/connectors/file/file-sink-crash-child.ts DIRECTORY
 */
import { parseConfig } from '../../../connectors/api/config-schema.js'
import { fileSink } from '../../../connectors/file/index.js'
import { sinkContext, sinkRecord } from './task-context.js'

const [directory] = process.argv.slice(2)
if (directory === undefined) throw new Error('usage: file-sink-crash-child.ts DIRECTORY')

const task = await fileSink.start(parseConfig(fileSink.config, { directory, rollBytes: 20_000 }, 'config'), sinkContext())
const batchRecords = 100
for (let next = 0; ; next += batchRecords) {
  await task.put(Array.from({ length: batchRecords }, (_, index) => sinkRecord({ n: next + index, padding: 'x'.repeat(40) }, next + index)))
  await task.flush()
  process.stdout.write(`flushed ${next + batchRecords}\n`)
}
