/**
 * The malformed-input suite's workload: a seeded plan of input records (good readings of eight
 * producers, bad records dealt to the classes of `malformed-classes.ts`), written to two input
 * topics, one JSON and one Avro, and the app that reads both, applies the user's function and
 * writes `producer:sequence` to the output.
 *
 * Producers 0 to 3 write JSON to `readings-json`, 4 to 7 Avro to `readings-avro`, each to the
 * partition `producer % 2` of its topic, keyed `p<producer>` (bad keys aside). Every record
 * carries an `origin` header naming its slot in the plan; its timestamp is the slot's too.
 *
 * @example
 * const planner = new InputPlanner(seededRandom(7), readingEncoders(registry))
 * const written = await writeInputs(log, planner.next(100_000, 1_000))
 * const app = readingsApp({ dataDir, stateDir, registry, policy: { deadLetter: DEAD_LETTERS }, logger })
 */
import { App, embedded, inMemoryStores, serdes, type AppLogger, type ErrorPolicy, type Log, type RecordHeader, type SchemaRegistry } from '../../index.js'
import { mapAsync, mapValues } from '../../operators/index.js'
import type { SeededRandom } from '../crash/seeded-random.js'
import { BAD_INPUT_CLASSES, describeReading, enrichReading, isReading, producerKey, READING_SCHEMA, type BadInputClass, type Format, type Reading, type ReadingEncoders } from './malformed-classes.js'

export const INPUT_TOPICS: Readonly<Record<Format, string>> = { json: 'readings-json', avro: 'readings-avro' }
export const OUTPUT = 'readings-out'
export const DEAD_LETTERS = 'readings-dlq'
export const PRODUCERS = 8
export const PARTITIONS = 2
/** The first slot's timestamp; slot i has BASE_TIMESTAMP + i. */
const BASE_TIMESTAMP = 1_700_000_000_000
const SEND_BATCH = 5_000

/**
 * The format producer `producer` writes.
 *
 * @example
 * formatOf(0) // 'json'
 * formatOf(7) // 'avro'
 */
export function formatOf(producer: number): Format {
  return producer < PRODUCERS / 2 ? 'json' : 'avro'
}

/** One record of the plan, before it is written. */
export interface PlannedRecord {
  /** Its slot: the position in the whole plan, across runs. */
  readonly slot: number
  readonly producer: number
  readonly topic: string
  readonly partition: number
  /** Its class when it is bad. */
  readonly bad: BadInputClass | undefined
  /** For a good record, its sequence among its producer's good records (0, 1, 2, …). */
  readonly sequence: number | undefined
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly RecordHeader[]
  readonly timestamp: number
}

/** A record as written: the plan plus its offset. */
export interface WrittenRecord extends PlannedRecord {
  readonly offset: number
}

/**
 * Plans input records batch after batch; sequences go on across batches, so a second run's
 * records follow the first's.
 *
 * @example
 * const planner = new InputPlanner(seededRandom(1), encoders)
 * const first = planner.next(1_000, 10) // 990 good, 10 bad at seeded places
 * planner.goodPerProducer()              // how many good records each producer has so far
 */
export class InputPlanner {
  readonly #random: SeededRandom
  readonly #encoders: ReadingEncoders
  readonly #goodCounts: number[] = Array.from({ length: PRODUCERS }, () => 0)
  #slots = 0
  #badSoFar = 0

  constructor(random: SeededRandom, encoders: ReadingEncoders) {
    this.#random = random
    this.#encoders = encoders
  }

  /** `records` records, of which `bad` (at seeded places) are bad, dealt to the classes in turn. */
  next(records: number, bad: number): PlannedRecord[] {
    const badAt = new Map<number, BadInputClass>()
    for (const position of this.#sample(records, bad)) badAt.set(position, BAD_INPUT_CLASSES[this.#badSoFar++ % BAD_INPUT_CLASSES.length]!)
    return Array.from({ length: records }, (_, position) => this.#plan(badAt.get(position)))
  }

  /** Good records per producer so far: the checker's `expected`. */
  goodPerProducer(): number[] {
    return [...this.#goodCounts]
  }

  #plan(bad: BadInputClass | undefined): PlannedRecord {
    const slot = this.#slots++
    const producer = bad === undefined ? this.#random.int(0, PRODUCERS - 1) : this.#random.pick(producersFor(bad))
    const format = formatOf(producer)
    const topic = INPUT_TOPICS[format]
    const common = { slot, producer, topic, partition: producer % PARTITIONS, headers: [{ key: 'origin', value: Buffer.from(`slot-${slot}`) }], timestamp: BASE_TIMESTAMP + slot }
    if (bad !== undefined) return { ...common, bad, sequence: undefined, ...bad.make(producer, format, topic, this.#encoders) }
    const sequence = this.#goodCounts[producer]!
    this.#goodCounts[producer] = sequence + 1
    const reading: Reading = { producer, sequence, samples: [sequence % 10, producer] }
    const value = format === 'json' ? this.#encoders.json(reading) : this.#encoders.avro(reading, topic)
    return { ...common, bad: undefined, sequence, key: producerKey(producer), value }
  }

  /** `count` distinct positions in [0, size), by a partial Fisher-Yates shuffle. */
  #sample(size: number, count: number): number[] {
    if (count > size) throw new RangeError(`cannot place ${count} bad records among ${size}`)
    const positions = Int32Array.from({ length: size }, (_, i) => i)
    for (let i = 0; i < count; i++) {
      const j = this.#random.int(i, size - 1)
      const swap = positions[i]!
      positions[i] = positions[j]!
      positions[j] = swap
    }
    return [...positions.subarray(0, count)]
  }
}

function producersFor(bad: BadInputClass): number[] {
  return Array.from({ length: PRODUCERS }, (_, producer) => producer).filter((producer) => bad.formats.includes(formatOf(producer)))
}

/**
 * Creates the topics the first time, writes the records in order, and returns them with their offsets.
 *
 * @example
 * const written = await writeInputs(log, planner.next(1_000, 10))
 * written[0]?.offset // 0
 */
export async function writeInputs(log: Log, records: readonly PlannedRecord[]): Promise<WrittenRecord[]> {
  const existing = await log.listTopics()
  for (const topic of [...Object.values(INPUT_TOPICS), OUTPUT, DEAD_LETTERS]) if (!existing.includes(topic)) await log.createTopic(topic, { partitions: PARTITIONS })
  const producer = log.producer()
  const written: WrittenRecord[] = []
  for (let from = 0; from < records.length; from += SEND_BATCH) {
    const batch = records.slice(from, from + SEND_BATCH)
    const sent = await producer.send(batch.map(({ topic, partition, key, value, headers, timestamp }) => ({ topic, partition, key, value, headers, timestamp })))
    batch.forEach((record, i) => {
      const metadata = sent[i]!
      if (metadata.topic !== record.topic || metadata.partition !== record.partition) throw new Error(`slot ${record.slot} landed in ${metadata.topic}-${metadata.partition}`)
      written.push({ ...record, offset: metadata.offset })
    })
  }
  return written
}

export interface ReadingsAppOptions {
  readonly id?: string
  readonly dataDir: string
  readonly stateDir: string
  /** The registry the Avro producers registered `READING_SCHEMA` in. */
  readonly registry: SchemaRegistry
  /** For both `onDeserializationError` and `onProcessingError`. */
  readonly policy: ErrorPolicy
  /** Default at_least_once. */
  readonly processing?: 'at_least_once' | 'exactly_once'
  readonly logger: AppLogger
}

/**
 * The app under test: each input topic, read with a string key and its value serde (JSON with
 * the `isReading` guard, or Avro), through the user's `describeReading` (the Avro input first
 * through the async `enrichReading`), to the output.
 *
 * @example
 * const app = readingsApp({ dataDir, stateDir, registry, policy: 'skip', logger })
 * await app.start()
 */
export function readingsApp(options: ReadingsAppOptions): App {
  const app = new App({
    id: options.id ?? 'malformed',
    log: embedded({ dir: options.dataDir, durability: 'none' }),
    processing: options.processing ?? 'at_least_once',
    onDeserializationError: options.policy,
    onProcessingError: options.policy,
    handleSignals: false,
    stores: inMemoryStores(),
    stateDir: options.stateDir,
    logger: options.logger,
  })
  const sink = { key: serdes.string(), value: serdes.string() }
  app
    .stream(INPUT_TOPICS.json, { key: serdes.string(), value: serdes.json({ guard: isReading }) })
    .pipe(mapValues(describeReading))
    .to(OUTPUT, sink)
  app
    .stream(INPUT_TOPICS.avro, { key: serdes.string(), value: serdes.avro<Reading>({ schema: READING_SCHEMA, registry: options.registry }) })
    .pipe(mapAsync(enrichReading, { concurrency: 64 }), mapValues(describeReading))
    .to(OUTPUT, sink)
  return app
}
