import type { Readable } from 'node:stream'
import { field } from '../api/config-schema.js'
import { defineSource } from '../api/define.js'
import { RecordRejectedError } from '../api/errors.js'
import type { RejectedInput, SourceConnector, SourceRecord } from '../api/types.js'
import { isJson } from '../file/json-check.js'
import { LineBuffer } from './line-buffer.js'

const stdinSourceConfig = {
  format: field.oneOf(['lines', 'jsonl'] as const, { default: 'lines', doc: 'each line as text, or each line checked to be JSON' }),
  batchSize: field.integer({ min: 1, default: 10_000, doc: 'records per poll at most' }),
}

/**
 * A source of the lines of a readable stream (`stdin-source` reads the process's stdin): each
 * line becomes a record whose value is the line's bytes (value serde `bytes`; read them back with
 * `string`, or `json` for `format: 'jsonl'`, where a line that is not JSON goes to the dead-letter
 * topic). It stores no offsets: a stream cannot be read again, so a restart goes on with whatever
 * the stream gives next, and lines polled but not yet written when the process dies are lost.
 * Once the stream ends, polls return empty batches. `input` may be a function that gives the
 * stream, so that it is touched only when the connector starts.
 *
 * @example
 * const fromSocket = readableSource(socket)
 * await startConnector(log, { name: 'socket-in', connector: fromSocket, topic: 'lines' })
 */
export function readableSource(input: Readable | (() => Readable), label = 'stream'): SourceConnector<typeof stdinSourceConfig, never, Buffer> {
  return defineSource<typeof stdinSourceConfig, never, Buffer>({
    name: 'stdin-source',
    description: 'reads lines (or JSON lines) from stdin',
    config: stdinSourceConfig,
    serdes: { key: 'string', value: 'bytes' },
    start(config, context) {
      const lines = new LineBuffer(typeof input === 'function' ? input() : input)
      const setTimer = (callback: () => void, ms: number): (() => void) => {
        const timer = context.clock.setTimeout(callback, ms)
        return () => context.clock.clearTimeout(timer)
      }
      return {
        async poll() {
          const deadline = context.clock.now() + context.pollTimeoutMs
          for (;;) {
            const firstLine = lines.lineCount
            const taken = lines.take(config.batchSize)
            if (taken.length > 0) return toBatch(taken, config.format, label, firstLine)
            const left = deadline - context.clock.now()
            if (left <= 0 || context.signal.aborted) return { records: [] }
            await lines.waitForInput(left, context.signal, setTimer)
          }
        },
        async stop() {
          lines.close()
        },
      }
    },
  })
}

function toBatch(lines: readonly Buffer[], format: 'lines' | 'jsonl', label: string, firstLine: number): { records: SourceRecord<never, Buffer>[]; rejected: RejectedInput[] } {
  const records: SourceRecord<never, Buffer>[] = []
  const rejected: RejectedInput[] = []
  lines.forEach((line, index) => {
    if (format === 'lines') records.push({ value: line })
    else if (line.length === 0) return
    else if (isJson(line, 0, line.length)) records.push({ value: line })
    else {
      const location = `${label}:${firstLine + index + 1}`
      rejected.push({ input: line, error: new RecordRejectedError(`line ${location} is not JSON`), location })
    }
  })
  return { records, rejected }
}

/**
 * The lines of the process's stdin. See `readableSource`.
 *
 * @example
 * // cat events.jsonl | tributary connect stdin.json   with { "connector": "stdin-source", "config": { "format": "jsonl" } }
 */
export const stdinSource = readableSource(() => process.stdin, 'stdin')
