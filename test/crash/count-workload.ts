/**
 * What the count-by-key kill -9 test runs and feeds, shared by the test, its child and its
 * checker: the app (`words → groupByKey → count → counts-out`, counts in RocksDB), the input
 * (record n's word is a pure function of n, drawn with a skew: a few words are hot, most are
 * rare), and the model, which counts the words of an input prefix in plain TypeScript.
 */
import { App, named, openEmbeddedLog, rocksdbStores, serdes, type Log, type LogProvider, type ProducerRecord, type TopicConfig } from '../../index.js'
import { changelogTopic } from '../../state/store-spec.js'

export type Processing = 'at_least_once' | 'exactly_once'

export const COUNT_APP_ID = 'counter'
export const COUNT_INPUT = 'words'
export const COUNT_OUTPUT = 'counts-out'
export const COUNT_STORE = 'counts'
export const COUNT_CHANGELOG = changelogTopic(COUNT_APP_ID, COUNT_STORE)
export const COUNT_PARTITIONS = 3
export const COUNT_TOPIC_CONFIG: TopicConfig = { partitions: COUNT_PARTITIONS }
/**
 * The changelog as the app would create it (compacted, a partition a shard), but created up front
 * with small segments: they roll every few commits, and with maintenance every 100 ms in the
 * child a kill may land in a compaction, and restores read compacted segments whose aborted
 * records and transaction markers are gone.
 */
export const COUNT_CHANGELOG_CONFIG: TopicConfig = { partitions: COUNT_PARTITIONS, cleanup: 'compact', segmentBytes: 16 * 1024 }
export const CHILD_MAINTENANCE_INTERVAL_MS = 100
export const DISTINCT_WORDS = 2_000

/** Small polls and commits, so the input takes many commits and a kill lands anywhere in them. */
const MAX_POLL_RECORDS = 50
const COMMIT_INTERVAL_MS = 25

/** A 32-bit mix of an integer (murmur3's finalizer), so neighbouring records get unrelated words. */
function mix(value: number): number {
  let h = Math.imul(value ^ 0x9e3779b9, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * The word of input record `sequence`: word i has probability about 1/(2·√(i·N)), so word 0
 * comes once in 45 records and the rarest about once in 4,000: hot keys change in every
 * commit, cold ones miss every cache after a restart.
 */
export function wordOf(sequence: number): string {
  const uniform = mix(sequence) / 4_294_967_296
  return `word-${Math.floor(uniform * uniform * DISTINCT_WORDS)}`
}

/** The value of input record `sequence` (the count ignores it; it must not be null to count). */
export function valueOf(sequence: number): string {
  return `record-${sequence}`
}

/** Where a count app runs: its id (group, changelog, transactional ids) and its topics. Kafka tests give each run its own. */
export interface CountNames {
  readonly appId: string
  readonly input: string
  readonly output: string
}

export const COUNT_NAMES: CountNames = { appId: COUNT_APP_ID, input: COUNT_INPUT, output: COUNT_OUTPUT }

/** How a count app runs. Defaults: this file's names, small polls and commits (see above), the default cache. */
export interface CountAppTuning {
  /**
   * 0 sends every update to the changelog and the output at once (a transaction holds records
   * for its whole interval), a small cache evicts (writes through) in the middle of a
   * transaction, the default absorbs repeated updates until the commit.
   */
  readonly cacheMaxBytes?: number
  readonly commitIntervalMs?: number
  readonly maxPollRecords?: number
  readonly names?: CountNames
}

/** The app under test, on an open log or one it opens (a Kafka log provider). */
export function countApp(log: Log | LogProvider, stateDir: string, processing: Processing, tuning: CountAppTuning = {}): App {
  const names = tuning.names ?? COUNT_NAMES
  const app = new App({
    id: names.appId,
    log,
    processing,
    stateDir,
    stores: rocksdbStores(),
    handleSignals: false,
    commitIntervalMs: tuning.commitIntervalMs ?? COMMIT_INTERVAL_MS,
    maxPollRecords: tuning.maxPollRecords ?? MAX_POLL_RECORDS,
    ...(tuning.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: tuning.cacheMaxBytes }),
    logger: { info: () => undefined, warn: (message) => process.stderr.write(`[tributary] ${message}\n`) },
  })
  app
    .stream(names.input, { key: serdes.string(), value: serdes.string() })
    .groupByKey({ key: serdes.string() })
    .count(named(COUNT_STORE))
    .toStream()
    .to(names.output, { key: serdes.string(), value: serdes.float64() })
  return app
}

/**
 * The expected counts after the first `upTo[p]` records of each input partition p (all of
 * them when `upTo` is omitted). `input[p]` is partition p's words in offset order.
 */
export function countModel(input: readonly (readonly string[])[], upTo?: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>()
  input.forEach((words, partition) => {
    const end = Math.min(words.length, upTo?.[partition] ?? words.length)
    for (let offset = 0; offset < end; offset++) counts.set(words[offset]!, (counts.get(words[offset]!) ?? 0) + 1)
  })
  return counts
}

/**
 * Creates the topics (the changelog too, see COUNT_CHANGELOG_CONFIG) in `dir` and writes `records`
 * input records; the producer's partitioner spreads the words. `outputConfig` replaces the output
 * topic's config (retention that deletes its old segments while the app runs, say).
 *
 * @example
 * await prefillCount(dir, 30_000)
 */
export async function prefillCount(dir: string, records: number, outputConfig: TopicConfig = COUNT_TOPIC_CONFIG): Promise<void> {
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  await log.createTopic(COUNT_INPUT, COUNT_TOPIC_CONFIG)
  await log.createTopic(COUNT_OUTPUT, outputConfig)
  await log.createTopic(COUNT_CHANGELOG, COUNT_CHANGELOG_CONFIG)
  const producer = log.producer()
  for (let first = 0; first < records; first += PREFILL_BATCH) {
    const batch: ProducerRecord[] = []
    for (let sequence = first; sequence < Math.min(records, first + PREFILL_BATCH); sequence++) {
      batch.push({ topic: COUNT_INPUT, key: Buffer.from(wordOf(sequence)), value: Buffer.from(valueOf(sequence)) })
    }
    await producer.send(batch)
  }
  await log.close()
}

const PREFILL_BATCH = 500
