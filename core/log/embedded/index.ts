import type { Log, LogProvider } from '../types.js'
import { EmbeddedLog } from './embedded-log.js'
import type { EmbeddedLogOptions } from './options.js'

export { EmbeddedLog } from './embedded-log.js'
export type { LogLogger } from '../engine/logger.js'
export type { Durability, EmbeddedLogOptions } from './options.js'
export type { RecoveryEvent } from './partition-log.js'

/**
 * Opens (and creates when missing) an embedded partitioned log in a data directory.
 * One process writes a directory; others may open it with `readOnly: true`.
 *
 * @example
 * const log = await openEmbeddedLog({ dir: './tributary-data' })
 * await log.createTopic('events', { partitions: 3 })
 * await log.producer().send([{ topic: 'events', key: Buffer.from('k'), value: Buffer.from('v') }])
 * await log.close()
 */
export async function openEmbeddedLog(options: EmbeddedLogOptions): Promise<Log & EmbeddedLog> {
  return new EmbeddedLog(options)
}

/**
 * The embedded log for an app: opened when the app starts, closed when it stops.
 *
 * @example
 * const app = new App({ id: 'wordcount', log: embedded({ dir: './tributary-data' }) })
 */
export function embedded(options: EmbeddedLogOptions): LogProvider {
  return { open: () => openEmbeddedLog(options) }
}
