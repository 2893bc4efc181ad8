import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import type { Consumer, Log, LogRecord, TopicPartitionOffset } from '../../log/types.js'
import {
  type Command,
  UsageError,
  commonOptions,
  commonOptionsUsage,
  dataDirArgument,
  integerOption,
  parseOrUsage,
  takePositionals,
  topicArgument,
} from '../args.js'
import { type CliIo, writeLine, writeText } from '../io.js'
import { withLog } from '../open-log.js'
import { type RecordFormat, formatRecord, isRecordFormat } from '../record-format.js'

/** How long one poll waits while tailing; the loop simply polls again. */
const TAIL_POLL_MS = 1000

const usage = `Usage: tributary consume TOPIC [--from-beginning] [--group G] [--max N]
                        [--timeout-ms MS] [--format text|json] [--data DIR]

Prints the records of TOPIC to stdout. Without --group, reads every partition from
the end (or the beginning), opening the data directory read-only, so it works beside
a running app. With --group, reads as a member of consumer group G and commits the
group's offsets after printing each batch (this opens the data directory for writing).
Runs until --max records were printed, until no record arrived for --timeout-ms, or
until interrupted (Ctrl-C).

Options:
  --from-beginning   start at the earliest record (with --group: when G has no offsets yet)
  --group G          consume as a member of group G and commit its offsets
  --max N            stop after N records
  --timeout-ms MS    stop when no record arrived for MS milliseconds
  --format FORMAT    text (default): each value as a line, a null value as an empty line;
                     json: one object a line with topic, partition, offset, timestamp,
                     key, value (UTF-8 strings or null) and headers ([{ key, value }])
${commonOptionsUsage}`

interface ConsumeSettings {
  readonly topic: string
  readonly fromBeginning: boolean
  readonly group: string | undefined
  readonly maxRecords: number | undefined
  readonly timeoutMs: number | undefined
  readonly format: RecordFormat
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        ...commonOptions,
        'from-beginning': { type: 'boolean', default: false },
        group: { type: 'string' },
        max: { type: 'string' },
        'timeout-ms': { type: 'string' },
        format: { type: 'string', default: 'text' },
      },
    }),
  )
  if (values.help) {
    await writeLine(io.stdout, usage)
    return 0
  }
  const [topicName = ''] = takePositionals(positionals, ['TOPIC'], usage)
  if (!isRecordFormat(values.format)) {
    throw new UsageError(`--format must be text or json, got ${JSON.stringify(values.format)}`, usage)
  }
  if (values.group === '') throw new UsageError('--group must not be empty', usage)
  const settings: ConsumeSettings = {
    topic: topicArgument(topicName, usage),
    fromBeginning: values['from-beginning'],
    group: values.group,
    maxRecords: integerOption('--max', values.max, { min: 1 }, usage),
    timeoutMs: integerOption('--timeout-ms', values['timeout-ms'], { min: 0 }, usage),
    format: values.format,
  }
  const dataDir = dataDirArgument(values.data, usage)
  const consumed = await withLog({ dataDir, readOnly: settings.group === undefined }, io, (log) =>
    consumeWith(log, settings, io),
  )
  await writeLine(io.stderr, `consumed ${consumed} records from ${settings.topic}`)
  return 0
}

/** Sets up the consumer, runs the print loop, and closes the consumer; resolves to the records printed. */
async function consumeWith(log: Log, settings: ConsumeSettings, io: CliIo): Promise<number> {
  const { topic, group, fromBeginning } = settings
  const { partitions } = await log.describeTopic(topic) // an unknown topic fails here, not by waiting forever
  const consumer =
    group === undefined
      ? log.consumer()
      : log.consumer({ groupId: group, autoOffsetReset: fromBeginning ? 'earliest' : 'latest' })
  const stop = (): void => consumer.wakeup()
  io.signal?.addEventListener('abort', stop)
  try {
    if (group === undefined) {
      await consumer.assign(partitions.map(({ partition }) => ({ topic, partition })))
      await (fromBeginning ? consumer.seekToBeginning() : consumer.seekToEnd())
    } else {
      await consumer.subscribe([topic])
    }
    return await printRecords(consumer, settings, io)
  } finally {
    io.signal?.removeEventListener('abort', stop)
    await consumer.close()
  }
}

/** Polls and prints until `--max`, `--timeout-ms` of silence, or SIGINT. */
async function printRecords(consumer: Consumer, settings: ConsumeSettings, io: CliIo): Promise<number> {
  const { maxRecords, timeoutMs } = settings
  let printed = 0
  let lastRecordAt = performance.now()
  while (io.signal?.aborted !== true && (maxRecords === undefined || printed < maxRecords)) {
    const waitMs = timeoutMs === undefined ? TAIL_POLL_MS : Math.max(0, timeoutMs - (performance.now() - lastRecordAt))
    const polled = await consumer.poll({
      timeoutMs: Math.ceil(waitMs),
      ...(maxRecords === undefined ? {} : { maxRecords: maxRecords - printed }),
    })
    if (polled.length === 0) {
      if (timeoutMs !== undefined && performance.now() - lastRecordAt >= timeoutMs) break
      continue
    }
    lastRecordAt = performance.now()
    const batch = maxRecords === undefined ? polled : polled.slice(0, maxRecords - printed)
    await writeText(io.stdout, batch.map((record) => formatRecord(record, settings.format)).join(''))
    printed += batch.length
    if (settings.group !== undefined) await consumer.commit(nextOffsets(batch))
  }
  return printed
}

/** Per partition, the offset after the last printed record: what the group has consumed. */
function nextOffsets(records: readonly LogRecord[]): TopicPartitionOffset[] {
  const next = new Map<string, TopicPartitionOffset>()
  for (const { topic, partition, offset } of records) {
    const id = `${topic}\u0000${partition}`
    const known = next.get(id)
    if (known === undefined || known.offset <= offset) next.set(id, { topic, partition, offset: offset + 1 })
  }
  return [...next.values()]
}

export const consume: Command = { name: 'consume', usage, run }
