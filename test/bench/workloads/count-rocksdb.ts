/**
 * Counting by key on RocksDB: 10,000,000 keyed records over 100,000 keys, already in a
 * one-partition topic, through `groupByKey → count → toStream → to`, exactly_once (a
 * transaction every 100 ms), cache on at its default 10 MiB. Timed from `start()` until the app
 * has taken every record and `stop()` has returned (the stop's flush and commit count). In the
 * same run, on the same input: RocksDB with the cache off (`cache_off_*`), the memory backend
 * with the cache on (`memory_*`, `ratio_to_memory`), and RocksDB with a cache that holds every
 * key (`large_cache_*`). The RocksDB run goes first, on the coldest JIT, so the ratio errs low.
 */
import { join } from 'node:path'
import { inMemoryStores, openEmbeddedLog, rocksdbStores, type Log, type StoreBackendFactory } from '../../../index.js'
import { checkCounts, countApp, countCommitIntervalMs, expectedCounts, keyBytes, prefillKeyed, uniformKeys } from '../counting.js'
import { timeStartToStop } from '../pipeline.js'
import { runWorkload, scaled, withRssSampled, withTempDir } from '../report.js'

const input = 'words'
/** One partition: one task, one store shard, one transaction per commit. */
const partitions = 1
/** A property of the workload, not a record count: it does not scale. */
const distinctKeys = 100_000
const defaultCacheMaxBytes = 10 << 20
/** Enough for every key: the cache budgets about 96 bytes of overhead per entry besides key and value. */
const largeCacheMaxBytes = 32 << 20

interface CountRun {
  readonly name: string
  readonly stores: StoreBackendFactory
  readonly cacheMaxBytes: number
}

interface CountResult {
  readonly seconds: number
  readonly recordsPerSecond: number
  readonly transactions: number
  /** Count updates in the output topic: one per record with the cache off, fewer with it on. */
  readonly outputUpdates: number
  /** The highest RSS sampled during the run (the process's peak covers every run). */
  readonly maxRssMb: number
}

await runWorkload('count-rocksdb', () =>
  withTempDir(async (dir) => {
    const records = scaled(10_000_000)
    const keys = uniformKeys(distinctKeys)
    const log = await openEmbeddedLog({ dir: join(dir, 'log'), durability: 'none' })
    try {
      await log.createTopic(input, { partitions })
      await prefillKeyed(log, { topic: input, records, keys })
      const expected = expectedCounts(keys, records)
      const measure = (run: CountRun): Promise<CountResult> => timeCount(log, { run, stateDir: join(dir, 'state'), records, expected })
      const rocksdb = await measure({ name: 'rocksdb', stores: rocksdbStores(), cacheMaxBytes: defaultCacheMaxBytes })
      const cacheOff = await measure({ name: 'cache-off', stores: rocksdbStores(), cacheMaxBytes: 0 })
      const memory = await measure({ name: 'memory', stores: inMemoryStores(), cacheMaxBytes: defaultCacheMaxBytes })
      const largeCache = await measure({ name: 'large-cache', stores: rocksdbStores(), cacheMaxBytes: largeCacheMaxBytes })
      return {
        processing: 'exactly_once',
        commit_interval_ms: countCommitIntervalMs,
        partitions,
        records,
        keys: distinctKeys,
        key_bytes: keyBytes,
        cache_max_bytes: defaultCacheMaxBytes,
        seconds: rocksdb.seconds,
        records_per_s: rocksdb.recordsPerSecond,
        transactions: rocksdb.transactions,
        output_updates: rocksdb.outputUpdates,
        max_rss_mb: rocksdb.maxRssMb,
        cache_off_seconds: cacheOff.seconds,
        cache_off_records_per_s: cacheOff.recordsPerSecond,
        cache_off_output_updates: cacheOff.outputUpdates,
        cache_off_max_rss_mb: cacheOff.maxRssMb,
        memory_seconds: memory.seconds,
        memory_records_per_s: memory.recordsPerSecond,
        memory_max_rss_mb: memory.maxRssMb,
        ratio_to_memory: rocksdb.recordsPerSecond / memory.recordsPerSecond,
        large_cache_max_bytes: largeCacheMaxBytes,
        large_cache_seconds: largeCache.seconds,
        large_cache_records_per_s: largeCache.recordsPerSecond,
        large_cache_output_updates: largeCache.outputUpdates,
        large_cache_max_rss_mb: largeCache.maxRssMb,
      }
    } finally {
      await log.close()
    }
  }),
)

/** One count app (its own id, state, changelog and output topic) over the whole input, then its output checked. */
async function timeCount(log: Log, plan: { run: CountRun; stateDir: string; records: number; expected: Uint8Array | Uint32Array }): Promise<CountResult> {
  const { run, records } = plan
  const output = `${run.name}-counts-out`
  await log.createTopic(output, { partitions })
  const app = countApp(log, { id: `count-${run.name}`, input, output, stateDir: plan.stateDir, stores: run.stores, cacheMaxBytes: run.cacheMaxBytes })
  const { result: timed, maxRssMb } = await withRssSampled(() => timeStartToStop(app, records))
  const updates = await checkCounts(log, { topic: output, expected: plan.expected })
  return { seconds: timed.seconds, recordsPerSecond: records / timed.seconds, transactions: timed.commits, outputUpdates: updates, maxRssMb }
}
