import { parseArgs } from 'node:util'
import type { TopicConfig, TopicDescription } from '../../log/types.js'
import {
  type Command,
  UsageError,
  commonOptions,
  commonOptionsUsage,
  dataDirArgument,
  integerOption,
  negativeValuesJoined,
  parseOrUsage,
  takePositionals,
  topicArgument,
} from '../args.js'
import { formatBytes, formatDurationMs, formatTable } from '../format.js'
import { type CliIo, writeLine, writeText } from '../io.js'
import { withLog } from '../open-log.js'

const usage = `Usage: tributary topics <create|list|describe|delete> [options]

  topics create NAME --partitions N [--compact] [--retention-ms MS]
      creates a topic
        --partitions N     number of partitions (required)
        --compact          keep the last value per key instead of deleting by age
        --retention-ms MS  delete records older than MS (-1 keeps them forever; default 7 days)
  topics list
      prints the names of the topics, one a line
  topics describe NAME
      prints a topic's settings and, per partition, its offsets and size on disk
  topics delete NAME
      deletes a topic and its data

Every subcommand takes:
${commonOptionsUsage}

list and describe open the data directory read-only, so they work beside a running app.`

const options = {
  ...commonOptions,
  partitions: { type: 'string' },
  compact: { type: 'boolean', default: false },
  'retention-ms': { type: 'string' },
} as const

function parse(args: readonly string[]) {
  return parseOrUsage(usage, () =>
    parseArgs({ args: negativeValuesJoined(args, ['--retention-ms']), allowPositionals: true, options }),
  )
}

type TopicsValues = ReturnType<typeof parse>['values']

/** What a subcommand gets: its own positional arguments and the parsed options. */
interface SubcommandContext {
  readonly rest: readonly string[]
  readonly values: TopicsValues
  readonly dataDir: string
  readonly io: CliIo
}

const subcommands: Record<string, (context: SubcommandContext) => Promise<void>> = {
  create: createTopic,
  list: listTopics,
  describe: describeTopic,
  delete: deleteTopic,
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args)
  if (values.help) {
    await writeLine(io.stdout, usage)
    return 0
  }
  const [subcommand, ...rest] = positionals
  if (subcommand === undefined) throw new UsageError('missing subcommand: create, list, describe or delete', usage)
  const handler = Object.hasOwn(subcommands, subcommand) ? subcommands[subcommand] : undefined
  if (handler === undefined) throw new UsageError(`unknown subcommand ${JSON.stringify(subcommand)}`, usage)
  if (subcommand !== 'create') {
    const createOnly = [
      values.partitions !== undefined && '--partitions',
      values.compact && '--compact',
      values['retention-ms'] !== undefined && '--retention-ms',
    ].find((flag) => flag !== false)
    if (createOnly !== undefined) throw new UsageError(`${createOnly} is an option of topics create only`, usage)
  }
  await handler({ rest, values, dataDir: dataDirArgument(values.data, usage), io })
  return 0
}

async function createTopic({ rest, values, dataDir, io }: SubcommandContext): Promise<void> {
  const [name = ''] = takePositionals(rest, ['NAME'], usage)
  const topic = topicArgument(name, usage)
  const partitions = integerOption('--partitions', values.partitions, { min: 1, max: 100_000 }, usage)
  if (partitions === undefined) throw new UsageError('missing --partitions N', usage)
  const retentionMs = integerOption('--retention-ms', values['retention-ms'], { min: -1 }, usage)
  const config: TopicConfig = {
    partitions,
    cleanup: values.compact ? 'compact' : 'delete',
    ...(retentionMs === undefined ? {} : { retentionMs }),
  }
  await withLog({ dataDir, readOnly: false }, io, (log) => log.createTopic(topic, config))
  await writeLine(io.stdout, `created topic ${topic} with ${partitions} partition${partitions === 1 ? '' : 's'}`)
}

async function listTopics({ rest, dataDir, io }: SubcommandContext): Promise<void> {
  takePositionals(rest, [], usage)
  const names = await withLog({ dataDir, readOnly: true }, io, (log) => log.listTopics())
  await writeText(io.stdout, names.map((name) => `${name}\n`).join(''))
}

async function describeTopic({ rest, dataDir, io }: SubcommandContext): Promise<void> {
  const [name = ''] = takePositionals(rest, ['NAME'], usage)
  const topic = topicArgument(name, usage)
  const description = await withLog({ dataDir, readOnly: true }, io, (log) => log.describeTopic(topic))
  await writeText(io.stdout, formatDescription(description))
}

async function deleteTopic({ rest, dataDir, io }: SubcommandContext): Promise<void> {
  const [name = ''] = takePositionals(rest, ['NAME'], usage)
  const topic = topicArgument(name, usage)
  await withLog({ dataDir, readOnly: false }, io, (log) => log.deleteTopic(topic))
  await writeLine(io.stdout, `deleted topic ${topic}`)
}

/** The settings as `name: value` lines, then a table of partitions. */
function formatDescription(description: TopicDescription): string {
  const { config } = description
  const settings: [string, string][] = [
    ['topic', description.name],
    ['partitions', String(config.partitions)],
    ['cleanup', config.cleanup],
    ['retentionMs', `${config.retentionMs} (${formatDurationMs(config.retentionMs)})`],
    ['retentionBytes', `${config.retentionBytes} (${config.retentionBytes < 0 ? 'no limit' : formatBytes(config.retentionBytes)})`],
    ['segmentBytes', `${config.segmentBytes} (${formatBytes(config.segmentBytes)})`],
    ['segmentMs', `${config.segmentMs} (${formatDurationMs(config.segmentMs)})`],
    ['maxRecordBytes', `${config.maxRecordBytes} (${formatBytes(config.maxRecordBytes)})`],
    ['deleteRetentionMs', `${config.deleteRetentionMs} (${formatDurationMs(config.deleteRetentionMs)})`],
  ]
  const width = Math.max(...settings.map(([name]) => name.length)) + 1
  const header = settings.map(([name, value]) => `${`${name}:`.padEnd(width)} ${value}\n`).join('')
  const rows = description.partitions.map((partition) => [
    String(partition.partition),
    String(partition.startOffset),
    String(partition.endOffset),
    formatBytes(partition.sizeBytes),
  ])
  const table = formatTable(['partition', 'start offset', 'end offset', 'size'], rows, new Set([0, 1, 2, 3]))
  return `${header}\n${table}`
}

export const topics: Command = { name: 'topics', usage, run }
