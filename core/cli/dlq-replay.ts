import type { Log, LogRecord, ProducerRecord } from '../log/types.js'
import { deadLetterProvenance, replayRecord } from './dead-letter-record.js'
import { type CliIo, writeLine } from './io.js'
import { progress } from './progress.js'
import { offsetsAfter, readToEnd, topicEnds } from './read-to-end.js'

/** Skipped records named one by one at most; the rest are counted. */
const MAX_SKIPPED_SHOWN = 20

export interface ReplaySettings {
  /** The dead-letter topic. */
  readonly topic: string
  /** Where every record goes; without it, each to its `tributary.source.topic`. */
  readonly to: string | undefined
  /** The consumer group whose committed offsets remember how far replays got. */
  readonly group: string
}

export interface ReplayOutcome {
  /** Records sent, per destination topic. */
  readonly replayed: ReadonlyMap<string, number>
  /** Records left out: no source topic and no `--to`. */
  readonly skipped: readonly LogRecord[]
}

/**
 * Sends the dead letters of `settings.topic` that group `settings.group` has not replayed yet back
 * for processing (see `replayRecord`), up to the end the topic has when the replay begins, and
 * commits the group's offsets after each batch is written, so a second replay sends only what
 * came since. A crash between a write and its commit sends that batch again (at least once).
 * Shows a progress bar on `io.stderr`.
 *
 * @example
 * const { replayed } = await replayDeadLetters(log, { topic: 'orders-dlq', to: undefined, group: 'dlq-replay-orders-dlq' }, io)
 */
export async function replayDeadLetters(log: Log, settings: ReplaySettings, io: CliIo): Promise<ReplayOutcome> {
  const ends = await topicEnds(log, settings.topic)
  if (settings.to !== undefined) await log.describeTopic(settings.to) // an unknown --to fails before anything is read
  const consumer = log.consumer({ groupId: settings.group, autoOffsetReset: 'earliest' })
  const producer = log.producer()
  const replayed = new Map<string, number>()
  const skipped: LogRecord[] = []
  try {
    await consumer.assign(ends.map(({ topic, partition }) => ({ topic, partition })))
    const from = new Map(ends.map((end) => [end.partition, consumer.position(end)]))
    const total = ends.reduce((sum, end) => sum + Math.max(0, end.endOffset - (from.get(end.partition) ?? 0)), 0)
    const bar = progress({ label: `replaying ${settings.topic}`, total, stream: io.stderr })
    const done = (): number => ends.reduce((sum, end) => sum + Math.max(0, Math.min(consumer.position(end), end.endOffset) - (from.get(end.partition) ?? 0)), 0)
    await readToEnd(
      consumer,
      ends,
      async (records) => {
        const outgoing: ProducerRecord[] = []
        for (const record of records) {
          const destination = settings.to ?? deadLetterProvenance(record).sourceTopic
          if (destination === undefined) {
            skipped.push(record)
            continue
          }
          outgoing.push(replayRecord(record, destination))
          replayed.set(destination, (replayed.get(destination) ?? 0) + 1)
        }
        if (outgoing.length > 0) await producer.send(outgoing)
        await consumer.commit(offsetsAfter(records))
        bar.update(done())
        return true
      },
      io.signal,
    )
    bar.update(done())
    bar.finish()
  } finally {
    await producer.close()
    await consumer.close()
  }
  await reportSkipped(skipped, io)
  return { replayed, skipped }
}

async function reportSkipped(skipped: readonly LogRecord[], io: CliIo): Promise<void> {
  for (const record of skipped.slice(0, MAX_SKIPPED_SHOWN)) {
    const { connector, sourceLocation } = deadLetterProvenance(record)
    const origin = [connector === undefined ? undefined : `connector ${connector}`, sourceLocation].filter((part) => part !== undefined).join(', ')
    await writeLine(io.stderr, `skipped ${record.topic} partition ${record.partition} offset ${record.offset}: no source topic${origin === '' ? '' : ` (from ${origin})`}`)
  }
  if (skipped.length > MAX_SKIPPED_SHOWN) await writeLine(io.stderr, `... and ${skipped.length - MAX_SKIPPED_SHOWN} more skipped`)
  if (skipped.length > 0) await writeLine(io.stderr, `records without a source topic go nowhere by themselves: replay them with --to TOPIC under another --group`)
}
