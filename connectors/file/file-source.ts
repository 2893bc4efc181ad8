import { resolve } from 'node:path'
import { ConfigError } from '../../core/errors.js'
import { field, type ConfigOf } from '../api/config-schema.js'
import { defineSource } from '../api/define.js'
import type { SourceBatch, SourceContext, SourceOffset, SourceTask } from '../api/types.js'
import { ChangeWaiter } from './change-waiter.js'
import { csvDecoder } from './csv-decoder.js'
import type { PendingBatch, RecordDecoder } from './decoder.js'
import { jsonlDecoder } from './jsonl-decoder.js'
import { LongLineGuard } from './long-line-guard.js'
import { TailedFile, type TailPosition } from './tailed-file.js'

const fileSourceConfig = {
  path: field.string({ doc: 'the file to read and follow' }),
  format: field.oneOf(['jsonl', 'csv'] as const, { default: 'jsonl', doc: 'JSON lines, or CSV (RFC 4180)' }),
  keyField: field.string({ optional: true, doc: 'the field of each parsed record that becomes its key' }),
  valueAs: field.oneOf(['bytes', 'object'] as const, { optional: true, doc: 'values as JSON bytes (for value serde bytes), or as parsed objects (for a json or avro value serde); default: bytes when the value serde is bytes (the default), else object' }),
  columns: field.list(field.string(), { optional: true, minLength: 1, doc: 'CSV column names; default: the header row' }),
  header: field.boolean({ default: true, doc: 'CSV: the first row is a header' }),
  delimiter: field.string({ default: ',', pattern: /^[^"\r\n]$/, doc: 'CSV field delimiter, one character' }),
  batchSize: field.integer({ min: 1, default: 10_000, doc: 'records (and rejected lines) per poll at most' }),
  batchBytes: field.integer({ min: 1, default: 512 * 1024, doc: 'input bytes per poll at most (a poll takes at least one line): keeps a batch within the log\'s 1 MiB default batch limit' }),
  startAt: field.oneOf(['beginning', 'end'] as const, { default: 'beginning', doc: 'where a file never read before is read from' }),
  pollInterval: field.duration({ default: '250ms', doc: 'how often the file is looked at while waiting, besides file-system events' }),
  maxLineBytes: field.integer({ min: 1, default: 16 * 1024 * 1024, doc: 'a longer line (CSV: record) is rejected and skipped' }),
}

export type FileSourceConfig = ConfigOf<typeof fileSourceConfig>

/**
 * Reads a file of JSON lines or CSV rows and follows it as it grows (`tail -F`): appended lines
 * are read as they come, a rotated file (renamed away, a new one created) is read to its end and
 * then the new file from its start, a truncated one from its start again. Its offset is the byte
 * after the last complete line read, so a restart resumes exactly there; a last line without its
 * line break waits until it is complete. A line that cannot be parsed goes to the dead-letter
 * topic with its `path:line`. Values are the JSON bytes of each record (value serde `bytes`).
 *
 * @example
 * await startConnector(log, { name: 'orders-in', connector: fileSource, topic: 'orders', config: { path: '/data/orders.jsonl', keyField: 'id' } })
 */
export const fileSource = defineSource({
  name: 'file-source',
  description: 'reads a JSON-lines or CSV file and follows what is appended to it',
  config: fileSourceConfig,
  serdes: { key: 'string', value: 'bytes' },
  start: startFileSource,
})

async function startFileSource(config: FileSourceConfig, context: SourceContext<string, unknown>): Promise<SourceTask<string, unknown>> {
  const path = resolve(config.path)
  const partition = { file: path }
  const decoder = decoderFor(path, config, config.valueAs ?? (context.serdes.value.name === 'bytes' ? 'bytes' : 'object'))
  const stored = context.offset(partition)
  const file = await TailedFile.open(path, storedPosition(stored), config.startAt, context.logger)
  const waiter = new ChangeWaiter(path, context.clock, context.signal, context.logger)
  const resumesInSkippedLine = stored?.['skippingLine'] === true && stored['inode'] === file.position.inode && stored['position'] === file.position.position
  const longLines = new LongLineGuard(path, config.maxLineBytes, resumesInSkippedLine)
  let reported = file.position

  /** Fills `batch` from what is read and readable now, up to `batchSize` entries or the end of the file. */
  const fill = async (batch: PendingBatch): Promise<void> => {
    await decoder.prepare?.(file)
    let room = config.batchSize
    for (;;) {
      if (!longLines.skip(file)) {
        room -= decoder.decode(file, batch, room)
        if (room > 0 && longLines.check(file, batch)) room--
      }
      if (room === 0 || batch.bytes >= batch.maxBytes || context.signal.aborted) return
      if (await file.readMore()) continue
      const followed = await file.follow()
      if (followed === 'unchanged') return
      if (followed === 'rotated' || followed === 'truncated') await decoder.prepare?.(file)
    }
  }

  return {
    async poll(): Promise<SourceBatch<string, unknown>> {
      const deadline = context.clock.now() + context.pollTimeoutMs
      const batch: PendingBatch = { records: [], rejected: [], bytes: 0, maxBytes: config.batchBytes }
      for (;;) {
        await fill(batch)
        const position = file.position
        const moved = position.position !== reported.position || position.inode !== reported.inode
        if (moved || batch.records.length > 0 || batch.rejected.length > 0) {
          reported = position
          const offset = longLines.skipping ? { ...position, skippingLine: true } : { ...position }
          return { records: batch.records, rejected: batch.rejected, offsets: [{ partition, offset }] }
        }
        const left = deadline - context.clock.now()
        if (left <= 0 || context.signal.aborted) return { records: [] }
        await waiter.wait(Math.min(left, config.pollInterval))
      }
    },
    async stop(): Promise<void> {
      waiter.close()
      await file.close()
    },
  }
}

function decoderFor(path: string, config: FileSourceConfig, valueAs: 'bytes' | 'object'): RecordDecoder {
  if (config.format === 'jsonl') return jsonlDecoder(path, { keyField: config.keyField, valueAs, maxLineBytes: config.maxLineBytes })
  if (!config.header && config.columns === undefined) throw new ConfigError('config.columns', 'is required for CSV without a header row (header: false)')
  return csvDecoder(path, { columns: config.columns, header: config.header, delimiter: config.delimiter, keyField: config.keyField, valueAs, maxLineBytes: config.maxLineBytes })
}

function storedPosition(offset: SourceOffset | undefined): TailPosition | undefined {
  if (offset === undefined) return undefined
  const { position, inode, line } = offset
  if (typeof position !== 'number' || typeof inode !== 'string') return undefined
  return { position, inode, line: typeof line === 'number' ? line : 0 }
}
