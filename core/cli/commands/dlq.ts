import { parseArgs } from 'node:util'
import type { Log } from '../../log/types.js'
import { type Command, DEFAULT_DATA_DIR, UsageError, commonOptions, dataDirArgument, integerOption, parseOrUsage, topicArgument } from '../args.js'
import { withChosenLog } from '../chosen-log.js'
import { formatDeadLetterJson, formatDeadLetterText } from '../dead-letter-record.js'
import { replayDeadLetters } from '../dlq-replay.js'
import { type CliIo, writeLine, writeText } from '../io.js'
import { readToEnd, topicEnds } from '../read-to-end.js'

/** Exit code when Ctrl-C stopped a replay before the end. */
const EXIT_INTERRUPTED = 130

const usage = `Usage: tributary dlq <list|replay> TOPIC [options]

  dlq list TOPIC [--format text|json] [--max N]
      prints the dead letters in TOPIC with their provenance: the source topic, partition
      and offset (or the connector and the place in its input) and the error
        --format FORMAT   text (default): a block per record; json: one object a line with
                          topic, partition, offset, timestamp, key, value, error { code,
                          message }, source { topic, partition, offset, connector, location }
                          and headers
        --max N           stop after N records
  dlq replay TOPIC [--to TOPIC] [--group G]
      sends each dead letter back for processing, after a fix: its key, value, timestamp and
      headers (without tributary.error.*, with tributary.replayed-from: DLQ:PARTITION:OFFSET)
      to its source topic, or to --to; shows a progress bar. The replay's progress is
      committed as consumer group G, so a second replay sends only the dead letters that came
      since. A record without a source topic (a source connector's rejected input) needs
      --to; without it, it is reported and skipped.
        --to TOPIC        send every record to TOPIC
        --group G         the group that remembers the progress (default dlq-replay-TOPIC)

Every subcommand takes:
  --data DIR        the data directory (default ${DEFAULT_DATA_DIR}); list opens it read-only, so
                    it works beside a running app; replay writes, so stop the app first
  --kafka BROKERS   use Apache Kafka (host:port, comma-separated) instead
  -h, --help        show this help`

function parse(args: readonly string[]) {
  return parseOrUsage(usage, () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        ...commonOptions,
        kafka: { type: 'string' },
        format: { type: 'string', default: 'text' },
        max: { type: 'string' },
        to: { type: 'string' },
        group: { type: 'string' },
      },
    }),
  )
}

type DlqValues = ReturnType<typeof parse>['values']

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args)
  if (values.help) {
    await writeLine(io.stdout, usage)
    return 0
  }
  const [subcommand, topicName, ...extra] = positionals
  if (subcommand !== 'list' && subcommand !== 'replay') {
    throw new UsageError(subcommand === undefined ? 'missing subcommand (list or replay)' : `unknown subcommand ${JSON.stringify(subcommand)}`, usage)
  }
  if (topicName === undefined) throw new UsageError('missing TOPIC', usage)
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`, usage)
  if (values.kafka === '') throw new UsageError('--kafka needs host:port', usage)
  const topic = topicArgument(topicName, usage)
  const logChoice = { dataDir: dataDirArgument(values.data, usage), kafka: values.kafka }
  if (subcommand === 'list') {
    if (values.to !== undefined || values.group !== undefined) throw new UsageError('--to and --group belong to replay', usage)
    const settings = listSettings(values)
    const listed = await withChosenLog({ ...logChoice, readOnly: true }, io, (log) => listDeadLetters(log, topic, settings, io))
    await writeLine(io.stderr, `listed ${listed} dead letter${listed === 1 ? '' : 's'} from ${topic}`)
    return 0
  }
  if (values.max !== undefined) throw new UsageError('--max belongs to list', usage)
  const to = values.to === undefined ? undefined : topicArgument(values.to, usage)
  if (values.group === '') throw new UsageError('--group must not be empty', usage)
  const group = values.group ?? `dlq-replay-${topic}`
  const outcome = await withChosenLog({ ...logChoice, readOnly: false }, io, (log) => replayDeadLetters(log, { topic, to, group }, io))
  const sent = [...outcome.replayed].map(([destination, count]) => `${count} to ${destination}`)
  const total = [...outcome.replayed.values()].reduce((sum, count) => sum + count, 0)
  await writeLine(io.stderr, `replayed ${total} dead letter${total === 1 ? '' : 's'} from ${topic}${sent.length === 0 ? '' : ` (${sent.join(', ')})`}${outcome.skipped.length === 0 ? '' : `; skipped ${outcome.skipped.length}`}`)
  return io.signal?.aborted === true ? EXIT_INTERRUPTED : 0
}

interface ListSettings {
  readonly format: 'text' | 'json'
  readonly maxRecords: number | undefined
}

function listSettings(values: DlqValues): ListSettings {
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got ${JSON.stringify(values.format)}`, usage)
  return { format: values.format, maxRecords: integerOption('--max', values.max, { min: 1 }, usage) }
}

/** Prints the dead letters from the beginning up to the end the topic has now; resolves to how many. */
async function listDeadLetters(log: Log, topic: string, settings: ListSettings, io: CliIo): Promise<number> {
  const ends = await topicEnds(log, topic)
  const consumer = log.consumer()
  let printed = 0
  try {
    await consumer.assign(ends.map(({ partition }) => ({ topic, partition })))
    await consumer.seekToBeginning()
    await readToEnd(
      consumer,
      ends,
      async (records) => {
        const batch = settings.maxRecords === undefined ? records : records.slice(0, settings.maxRecords - printed)
        const format = settings.format === 'json' ? formatDeadLetterJson : formatDeadLetterText
        await writeText(io.stdout, batch.map(format).join(''))
        printed += batch.length
        return settings.maxRecords === undefined || printed < settings.maxRecords
      },
      io.signal,
    )
  } finally {
    await consumer.close()
  }
  return printed
}

/** `tributary dlq`: lists dead letters and replays them. */
export const dlq: Command = { name: 'dlq', usage, run }
