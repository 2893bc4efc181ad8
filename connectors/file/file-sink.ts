import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ConfigError } from '../../core/errors.js'
import { field, type ConfigOf } from '../api/config-schema.js'
import { defineSink } from '../api/define.js'
import { RecordRejectedError } from '../api/errors.js'
import type { SinkContext, SinkRecord, SinkTask } from '../api/types.js'
import { formatCsvRecord } from './csv-record.js'
import { RollingFiles } from './rolling-files.js'

const fileSinkConfig = {
  directory: field.string({ doc: 'where the files are written (created when missing)' }),
  format: field.oneOf(['jsonl', 'csv'] as const, { default: 'jsonl', doc: 'JSON lines, or CSV (RFC 4180)' }),
  prefix: field.string({ default: 'records', pattern: /^[A-Za-z0-9._-]+$/, doc: 'file names are <prefix>-000001.<format>, …' }),
  columns: field.list(field.string(), { optional: true, minLength: 1, doc: 'CSV: the fields of each value written, in order' }),
  header: field.boolean({ default: true, doc: 'CSV: each file starts with a header row' }),
  delimiter: field.string({ default: ',', pattern: /^[^"\r\n]$/, doc: 'CSV field delimiter, one character' }),
  rollBytes: field.integer({ min: 1, default: 128 * 1024 * 1024, doc: 'a file is completed once it holds this many bytes' }),
  rollInterval: field.duration({ optional: true, doc: 'a file is completed this long after it was created' }),
}

export type FileSinkConfig = ConfigOf<typeof fileSinkConfig>

/** Lines buffered in memory before they are written out (they are written at every flush too). */
const WRITE_BUFFER_BYTES = 1 << 20
const LF = 0x0a
const QUOTE = 0x22

/**
 * Writes each record's value as a line to numbered files in a directory: JSON lines, or CSV rows
 * of the configured columns. A file is completed (renamed from `….inprogress`, synced) once it
 * reaches `rollBytes` or is `rollInterval` old; `flush` syncs the file being written. At least
 * once: records put after the last flush may be written again after a crash.
 *
 * @example
 * await startConnector(log, { name: 'orders-out', connector: fileSink, topics: ['orders'], config: { directory: '/data/out', rollInterval: '1h' } })
 */
export const fileSink = defineSink({
  name: 'file-sink',
  description: 'writes records as JSON lines or CSV rows to rolling files',
  config: fileSinkConfig,
  serdes: { key: 'string', value: 'json' },
  start: startFileSink,
})

async function startFileSink(config: FileSinkConfig, context: SinkContext<string, unknown>): Promise<SinkTask<string, unknown>> {
  const directory = resolve(config.directory)
  if (config.format === 'csv' && config.columns === undefined) throw new ConfigError('config.columns', 'is required for the CSV format: the fields of each value to write')
  const encode = config.format === 'csv' ? csvLine(config.columns ?? [], config.delimiter) : jsonLine
  const header = config.format === 'csv' && config.header ? Buffer.from(formatCsvRecord(config.columns ?? [], config.delimiter)) : undefined
  await mkdir(directory, { recursive: true })
  const files = await RollingFiles.open(directory, config.prefix, config.format, context.logger, config.format === 'csv' ? lastCsvRecordEnd : lastLineEnd)
  const { clock } = context
  let pending: Buffer[] = []
  let pendingBytes = 0
  let timer: ReturnType<typeof clock.setTimeout> | undefined
  let failure: unknown
  let queue: Promise<void> = Promise.resolve()

  /** Runs file operations one at a time, in order (the roll timer fires between calls). */
  const serially = (operation: () => Promise<void>): Promise<void> => {
    const run = queue.then(() => {
      if (failure !== undefined) throw failure
      return operation()
    })
    queue = run.catch(() => undefined)
    return run
  }

  const writePending = async (): Promise<void> => {
    if (pendingBytes === 0) return
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    const created = files.openedAtMs === undefined
    await files.write(bytes, clock.now(), header)
    if (created && config.rollInterval !== undefined) {
      timer = clock.setTimeout(() => {
        timer = undefined
        serially(rollIfOld).catch((error: unknown) => {
          failure ??= error
        })
      }, config.rollInterval)
    }
  }

  const roll = async (): Promise<void> => {
    await writePending()
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    await files.roll()
  }

  const rollIfOld = async (): Promise<void> => {
    if (config.rollInterval !== undefined && files.openedAtMs !== undefined && clock.now() - files.openedAtMs >= config.rollInterval) await roll()
  }

  const put = async (records: readonly SinkRecord<string, unknown>[]): Promise<void> => {
    await rollIfOld()
    for (const record of records) {
      let line: Buffer
      try {
        line = encode(record.value)
      } catch (error) {
        await context.deadLetter(record, error as Error)
        continue
      }
      pending.push(line)
      pendingBytes += line.length
      if (files.bytes + pendingBytes + (files.openedAtMs === undefined && header !== undefined ? header.length : 0) >= config.rollBytes) await roll()
      else if (pendingBytes >= WRITE_BUFFER_BYTES) await writePending()
    }
  }

  return {
    put: (records) => serially(() => put(records)),
    flush: () =>
      serially(async () => {
        await writePending()
        await rollIfOld()
        await files.sync()
      }),
    stop: () => serially(roll),
  }
}

function jsonLine(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) {
    if (value.includes(LF)) throw new RecordRejectedError('the value holds a line break, which would split its JSON line')
    return Buffer.concat([value, Buffer.from('\n')])
  }
  const text = JSON.stringify(value)
  if (text === undefined) throw new RecordRejectedError(`a ${typeof value} value cannot be written as JSON`)
  return Buffer.from(`${text}\n`)
}

function csvLine(columns: readonly string[], delimiter: string): (value: unknown) => Buffer {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
      throw new RecordRejectedError(`a CSV row needs an object value with the fields ${columns.join(', ')}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`)
    }
    const row = value as Record<string, unknown>
    return Buffer.from(formatCsvRecord(columns.map((column) => cellText(row[column])), delimiter))
  }
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

function lastLineEnd(bytes: Buffer): number {
  return bytes.lastIndexOf(LF) + 1
}

/** The byte after the last line break outside quotes. */
function lastCsvRecordEnd(bytes: Buffer): number {
  let inQuotes = false
  let end = 0
  for (let at = 0; at < bytes.length; at++) {
    const byte = bytes[at]
    if (byte === QUOTE) inQuotes = !inQuotes
    else if (byte === LF && !inQuotes) end = at + 1
  }
  return end
}
