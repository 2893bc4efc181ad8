import { parseArgs } from 'node:util'
import type { ProducerRecord } from '../../log/types.js'
import {
  type Command,
  UsageError,
  commonOptions,
  commonOptionsUsage,
  dataDirArgument,
  parseOrUsage,
  takePositionals,
  topicArgument,
} from '../args.js'
import { type CliIo, writeLine } from '../io.js'
import { readLineBatches } from '../lines.js'
import { withLog } from '../open-log.js'
import { RecordTooLargeError } from '../../log/errors.js'

/** Lines sent per `send` at most; a pause in stdin sends fewer. */
const MAX_LINES_PER_BATCH = 1000

/** Exit code when SIGINT stops `produce` before the end of its input. */
const EXIT_INTERRUPTED = 130

const usage = `Usage: tributary produce TOPIC [--key-separator SEP] [--data DIR]

Sends one record per line of stdin (UTF-8) to TOPIC. Without a key separator, records
have a null key; with one, the text before the first SEP is the key and the rest the
value (a line without SEP gets a null key). Keyed records go to the partition of their
key. Prints the number of records produced to stderr.

Options:
  --key-separator SEP   split each line into key and value at the first SEP
${commonOptionsUsage}

Example:
  printf 'user-1:login\\nuser-2:logout\\n' | tributary produce events --key-separator :`

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { ...commonOptions, 'key-separator': { type: 'string' } },
    }),
  )
  if (values.help) {
    await writeLine(io.stdout, usage)
    return 0
  }
  const [topicName = ''] = takePositionals(positionals, ['TOPIC'], usage)
  const topic = topicArgument(topicName, usage)
  const separator = values['key-separator']
  if (separator === '') throw new UsageError('--key-separator must not be empty', usage)
  const dataDir = dataDirArgument(values.data, usage)

  return withLog({ dataDir, readOnly: false }, io, async (log) => {
    // Fails before reading stdin when the topic does not exist; a line can never be larger than a record may be.
    const { config } = await log.describeTopic(topic)
    const producer = log.producer()
    const keySeparator = separator === undefined ? undefined : Buffer.from(separator, 'utf8')
    let produced = 0
    try {
      const batches = readLineBatches(io.stdin, {
        maxLines: MAX_LINES_PER_BATCH,
        maxLineBytes: config.maxRecordBytes,
        tooLong: (bytes) => new RecordTooLargeError(topic, bytes, config.maxRecordBytes),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      })
      for await (const lines of batches) {
        await producer.send(lines.map((line) => toRecord(topic, line, keySeparator)))
        produced += lines.length
      }
    } catch (error) {
      if (produced > 0) await writeLine(io.stderr, `produced ${produced} records to ${topic} before the error`)
      throw error
    } finally {
      await producer.close()
    }
    await writeLine(io.stderr, `produced ${produced} records to ${topic}`)
    return io.signal?.aborted === true ? EXIT_INTERRUPTED : 0
  })
}

function toRecord(topic: string, line: Buffer, keySeparator: Buffer | undefined): ProducerRecord {
  const at = keySeparator === undefined ? -1 : line.indexOf(keySeparator)
  if (keySeparator === undefined || at === -1) return { topic, key: null, value: line }
  return { topic, key: line.subarray(0, at), value: line.subarray(at + keySeparator.length) }
}

export const produce: Command = {
  name: 'produce',
  usage,
  run,
}
