import { ConfigError } from '../../core/errors.js'
import { TopicExistsError } from '../../core/log/errors.js'
import type { Log, ProducerRecord } from '../../core/log/types.js'
import type { SerdeContext } from '../../core/serde/types.js'
import { NexmarkGenerator } from './generator.js'
import type { NexmarkGeneratorOptions } from './options.js'
import { nexmarkSerdes } from './serdes.js'

/** The topic of each Nexmark stream. */
export interface NexmarkTopics {
  readonly persons: string
  readonly auctions: string
  readonly bids: string
}

/** `nexmark-persons`, `nexmark-auctions`, `nexmark-bids`. */
export const DEFAULT_NEXMARK_TOPICS: NexmarkTopics = { persons: 'nexmark-persons', auctions: 'nexmark-auctions', bids: 'nexmark-bids' }

/** What `loadNexmark` writes: the generator's options, with `events` in place of `maxEvents`. */
export interface LoadNexmarkOptions extends Omit<NexmarkGeneratorOptions, 'maxEvents'> {
  /** How many events to generate and append, over the three topics together. */
  readonly events: number
  /** Topic names; each missing one is the default (`nexmark-persons`, …). */
  readonly topics?: Partial<NexmarkTopics>
  /** Partitions of the topics it creates; a topic that exists keeps its own. Default 1. */
  readonly partitions?: number
  /** Records per `producer.send`. Default 4096. */
  readonly batchSize?: number
}

/** What `loadNexmark` appended. */
export interface NexmarkLoadResult {
  readonly topics: NexmarkTopics
  readonly persons: number
  readonly auctions: number
  readonly bids: number
  /** Pass as `startAtEvent` (with the same seed and options) to append the events that follow. */
  readonly eventsSoFar: number
}

/**
 * Generates Nexmark events and appends them to three topics, creating the topics that are
 * missing. Values are JSON (`nexmarkSerdes`), keys the decimal id of the person, the auction, or
 * the bid's auction (so a key's records share a partition), and each record's timestamp is its
 * event's `dateTime`. Records go out in sends of `batchSize`, in event order; an existing topic
 * is appended to, not emptied.
 *
 * @example
 * const log = await openEmbeddedLog({ dir: './tributary-data' })
 * const loaded = await loadNexmark(log, { seed: 42, events: 1_000_000, partitions: 4 })
 * console.log(loaded.bids) // 920000
 * await log.close()
 *
 * @see NexmarkGenerator
 */
export async function loadNexmark(log: Log, options: LoadNexmarkOptions): Promise<NexmarkLoadResult> {
  const { events, topics: topicOptions, partitions = 1, batchSize = 4096, ...generatorOptions } = options
  if (!Number.isSafeInteger(events) || events < 0) throw new ConfigError('events', `must be a non-negative integer, got ${String(events)}`)
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new ConfigError('partitions', `must be a positive integer, got ${String(partitions)}`)
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ConfigError('batchSize', `must be a positive integer, got ${String(batchSize)}`)
  const topics: NexmarkTopics = { ...DEFAULT_NEXMARK_TOPICS, ...topicOptions }
  const generator = new NexmarkGenerator({ ...generatorOptions, maxEvents: events })
  await createMissingTopics(log, topics, partitions)

  const serde = { person: nexmarkSerdes.person(), auction: nexmarkSerdes.auction(), bid: nexmarkSerdes.bid() }
  const context: Record<keyof NexmarkTopics, SerdeContext> = {
    persons: { topic: topics.persons, isKey: false },
    auctions: { topic: topics.auctions, isKey: false },
    bids: { topic: topics.bids, isKey: false },
  }
  const counts = { persons: 0, auctions: 0, bids: 0 }
  const producer = log.producer()
  try {
    let batch: ProducerRecord[] = []
    for (let event = generator.nextEvent(); event !== undefined; event = generator.nextEvent()) {
      let record: ProducerRecord
      if (event.type === 'bid') {
        const { bid } = event
        record = { topic: topics.bids, key: decimalKey(bid.auction), value: serde.bid.serialize(bid, context.bids), timestamp: bid.dateTime }
        counts.bids++
      } else if (event.type === 'auction') {
        const { auction } = event
        record = { topic: topics.auctions, key: decimalKey(auction.id), value: serde.auction.serialize(auction, context.auctions), timestamp: auction.dateTime }
        counts.auctions++
      } else {
        const { person } = event
        record = { topic: topics.persons, key: decimalKey(person.id), value: serde.person.serialize(person, context.persons), timestamp: person.dateTime }
        counts.persons++
      }
      batch.push(record)
      if (batch.length >= batchSize) {
        await producer.send(batch)
        batch = []
      }
    }
    if (batch.length > 0) await producer.send(batch)
  } finally {
    await producer.close()
  }
  return { topics, ...counts, eventsSoFar: generator.eventsSoFar }
}

async function createMissingTopics(log: Log, topics: NexmarkTopics, partitions: number): Promise<void> {
  const existing = new Set(await log.listTopics())
  for (const name of new Set([topics.persons, topics.auctions, topics.bids])) {
    if (existing.has(name)) continue
    try {
      await log.createTopic(name, { partitions })
    } catch (err) {
      if (!(err instanceof TopicExistsError)) throw err // created meanwhile by someone else: use it
    }
  }
}

function decimalKey(id: number): Buffer {
  return Buffer.from(String(id), 'latin1')
}
