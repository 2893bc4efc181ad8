/**
 * An app for the logging test: runs on the embedded log in DIR until RUNNING, then stops.
 * Its log level comes from TRIBUTARY_LOG_LEVEL, as a user would set it.
 *
 *   node --import tsx test/observe/log-child.ts DIR
 */
import { App, openEmbeddedLog, serdes } from '../../index.js'

const dir = process.argv[2]!
const log = await openEmbeddedLog({ dir, durability: 'none' })
await log.createTopic('in', { partitions: 1 })
const app = new App({ id: 'logged', log, handleSignals: false, stateDir: `${dir}/state` })
app.stream('in', { value: serdes.string() }).to('out', { value: serdes.string() })
await log.createTopic('out', { partitions: 1 })
const running = new Promise<void>((resolve) => app.onStateChange((state) => state === 'RUNNING' && resolve()))
await app.start()
await running
await app.stop()
await log.close()
