import type { Writable } from 'node:stream'
import { field } from '../api/config-schema.js'
import { defineSink } from '../api/define.js'
import type { SinkConnector } from '../api/types.js'

const stdoutSinkConfig = {
  format: field.oneOf(['json', 'text'] as const, { default: 'json', doc: 'each value as JSON, or as text (strings and bytes as they are)' }),
}

/**
 * A sink that writes each record's value as a line to a writable stream (`stdout-sink` writes to
 * the process's stdout): as JSON, or as text where strings and bytes go out as they are and
 * anything else as JSON. `flush` waits until the stream has taken everything written. `target`
 * may be a function that gives the stream, so that it is touched only when the connector starts.
 *
 * @example
 * const toSocket = writableSink(socket)
 * await startConnector(log, { name: 'socket-out', connector: toSocket, topics: ['lines'], config: { format: 'text' } })
 */
export function writableSink(target: Writable | (() => Writable)): SinkConnector<typeof stdoutSinkConfig, unknown, unknown> {
  return defineSink({
    name: 'stdout-sink',
    description: 'writes each record value as a line to stdout',
    config: stdoutSinkConfig,
    serdes: { key: 'string', value: 'json' },
    start(config) {
      const output = typeof target === 'function' ? target() : target
      const line = config.format === 'json' ? jsonText : plainText
      return {
        async put(records) {
          if (records.length === 0) return
          let text = ''
          for (const record of records) text += `${line(record.value)}\n`
          output.write(text)
        },
        async flush() {
          if (!output.writableNeedDrain) return
          await new Promise<void>((resolve, reject) => {
            const cleanup = (): void => {
              output.off('drain', onDrain)
              output.off('error', onError)
            }
            const onDrain = (): void => {
              cleanup()
              resolve()
            }
            const onError = (error: Error): void => {
              cleanup()
              reject(error)
            }
            output.on('drain', onDrain)
            output.on('error', onError)
          })
        },
      }
    },
  })
}

function jsonText(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : (JSON.stringify(value) ?? 'null')
}

function plainText(value: unknown): string {
  if (typeof value === 'string') return value
  return jsonText(value)
}

/**
 * Each record's value as a line on the process's stdout. See `writableSink`.
 *
 * @example
 * // { "name": "show", "connector": "stdout-sink", "topics": ["orders"], "config": { "format": "json" } }
 */
export const stdoutSink = writableSink(() => process.stdout)
