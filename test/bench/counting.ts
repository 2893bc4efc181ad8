/**
 * What the stateful benchmarks share: keyed input records (string keys `user-00000042`, short
 * string values), the count app they run (`groupByKey → count → toStream → to`, exactly_once),
 * and the check of its output afterwards. Which key a record carries is a pure function of its
 * sequence number, so a run knows every key's final count without keeping the input.
 *
 * @example
 * const keys = uniformKeys(100_000)
 * await prefillKeyed(log, { topic: 'words', records, keys })
 * const run = await timeStartToStop(countApp(log, { id: 'count', input: 'words', output: 'counts-out', stateDir, stores: rocksdbStores(), cacheMaxBytes: 10 << 20 }), records)
 * await checkCounts(log, { topic: 'counts-out', expected: expectedCounts(keys, records) })
 */
import { App, named, serdes, type AppLogger, type Log, type StoreBackendFactory } from '../../index.js'
import { appendSequence } from './pipeline.js'

/** Which key each input record carries: key `index(sequence)` of `distinct`. */
export interface KeyPlan {
  readonly distinct: number
  index(sequence: number): number
  /** The most times any key can occur in `records` records. */
  maxCount(records: number): number
}

const keyDigits = 8
const keyPrefix = 'user-'
/** Bytes of every key: `user-` and eight digits. */
export const keyBytes = keyPrefix.length + keyDigits

/** The key of index `index`, as the app sees it. */
export function keyOf(index: number): string {
  return keyPrefix + String(index).padStart(keyDigits, '0')
}

/** The index of a key made by `keyOf`. */
export function indexOfKey(key: string): number {
  return Number(key.slice(keyPrefix.length))
}

/** murmur3's 32-bit finalizer: spreads consecutive sequence numbers evenly over the keys. */
function mix32(value: number): number {
  let h = value >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** Each record takes one of `distinct` keys, pseudo-randomly and evenly: hot and cold keys alike. */
export function uniformKeys(distinct: number): KeyPlan {
  return { distinct, index: (sequence) => mix32(sequence) % distinct, maxCount: (records) => records }
}

/** A prime above every key count we run, so that multiplying by it permutes 0..distinct-1. */
const permutationStride = 100_000_007

/** Each of `distinct` keys exactly once, in a scrambled order (as new ids arrive, not sorted). */
export function eachKeyOnce(distinct: number): KeyPlan {
  if (distinct % permutationStride === 0 || distinct * permutationStride > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`eachKeyOnce cannot permute ${distinct} keys`)
  }
  return { distinct, index: (sequence) => (sequence * permutationStride + 12_345) % distinct, maxCount: (records) => Math.ceil(records / distinct) }
}

const valueWords = ['view', 'click', 'cart', 'buy'].map((word) => Buffer.from(word, 'latin1'))

/**
 * Appends `records` keyed records to `topic`, a batch of 1,000 per send; the producer picks
 * each record's partition from its key (murmur2), as any keyed producer would.
 */
export async function prefillKeyed(log: Log, plan: { topic: string; records: number; keys: KeyPlan }): Promise<void> {
  const { topic, keys } = plan
  await appendSequence(log, {
    records: plan.records,
    recordOf: (sequence) => ({ topic, key: Buffer.from(keyOf(keys.index(sequence)), 'latin1'), value: valueWords[sequence % valueWords.length]! }),
  })
}

/** Every key's count after `records` records (one byte per key when no count can pass 255). */
export function expectedCounts(keys: KeyPlan, records: number): Uint8Array | Uint32Array {
  const counts = keys.maxCount(records) <= 0xff ? new Uint8Array(keys.distinct) : new Uint32Array(keys.distinct)
  for (let sequence = 0; sequence < records; sequence++) counts[keys.index(sequence)]!++
  return counts
}

export interface CountAppPlan {
  readonly id: string
  readonly input: string
  readonly output: string
  readonly stateDir: string
  readonly stores: StoreBackendFactory
  readonly cacheMaxBytes: number
  /** Where the app's notices (restore progress) go; default stderr. */
  readonly logger?: AppLogger
}

/** The commit interval of every count app: exactly_once's default. */
export const countCommitIntervalMs = Number(process.env.COMMIT_MS ?? 100)

/** `input → groupByKey → count (store 'counts') → toStream → output`, exactly_once. */
export function countApp(log: Log, plan: CountAppPlan): App {
  const app = new App({
    id: plan.id,
    log,
    processing: 'exactly_once',
    commitIntervalMs: countCommitIntervalMs,
    stateDir: plan.stateDir,
    stores: plan.stores,
    cacheMaxBytes: plan.cacheMaxBytes,
    handleSignals: false,
    ...(plan.logger === undefined ? {} : { logger: plan.logger }),
  })
  app
    .stream(plan.input, { key: serdes.string(), value: serdes.string() })
    .groupByKey({ key: serdes.string() })
    .count(named('counts'))
    .toStream()
    .to(plan.output, { key: serdes.string(), value: serdes.float64() })
  return app
}

/**
 * Reads `topic` whole (read_committed, every partition) after a run and checks that each key's
 * last count is its expected count and that no count overshoots. Returns how many updates the
 * topic holds. Not timed.
 */
export async function checkCounts(log: Log, plan: { topic: string; expected: Uint8Array | Uint32Array }): Promise<number> {
  const { expected } = plan
  const last = expected instanceof Uint8Array ? new Uint8Array(expected.length) : new Uint32Array(expected.length)
  const { partitions } = await log.describeTopic(plan.topic)
  const consumer = log.consumer({ isolation: 'read_committed' })
  let updates = 0
  try {
    await consumer.assign(partitions.map(({ partition }) => ({ topic: plan.topic, partition })))
    for (let batch = await consumer.poll({ maxRecords: 10_000 }); batch.length > 0; batch = await consumer.poll({ maxRecords: 10_000 })) {
      updates += batch.length
      for (const record of batch) {
        const index = indexOfKey(record.key?.toString('latin1') ?? '')
        const count = record.value?.readDoubleBE(0) ?? Number.NaN
        if (!(count <= (expected[index] ?? -1))) throw new Error(`${plan.topic}: key ${keyOf(index)} counted ${count}, expected at most ${expected[index]}`)
        last[index] = count
      }
    }
  } finally {
    await consumer.close()
  }
  for (let index = 0; index < expected.length; index++) {
    if (last[index] !== expected[index]) throw new Error(`${plan.topic}: key ${keyOf(index)} ends at ${last[index]}, expected ${expected[index]}`)
  }
  return updates
}
