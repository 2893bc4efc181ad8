/**
 * State larger than the cache: 10,000,000 keyed records, each key once (in a scrambled
 * order), through `groupByKey → count → toStream → to` on RocksDB, exactly_once, cache on at its
 * default 10 MiB, one partition. Nearly every record misses the cache and reads RocksDB (which
 * finds nothing: every key is new), and the store ends with 10,000,000 entries, so memory must
 * stay bounded by the cache, the memtables and RocksDB's index and filter blocks, not grow with
 * the keys. Timed from `start()` until the app has taken every record and `stop()` has returned.
 */
import { join } from 'node:path'
import { openEmbeddedLog, rocksdbStores } from '../../../index.js'
import { checkCounts, countApp, countCommitIntervalMs, eachKeyOnce, expectedCounts, keyBytes, prefillKeyed } from '../counting.js'
import { timeStartToStop } from '../pipeline.js'
import { runWorkload, scaled, withTempDir } from '../report.js'

const input = 'ids'
const output = 'counts-out'
const partitions = 1
const cacheMaxBytes = 10 << 20

await runWorkload('count-many-keys', () =>
  withTempDir(async (dir) => {
    const records = scaled(10_000_000)
    const keys = eachKeyOnce(records)
    const log = await openEmbeddedLog({ dir: join(dir, 'log'), durability: 'none' })
    try {
      for (const topic of [input, output]) await log.createTopic(topic, { partitions })
      await prefillKeyed(log, { topic: input, records, keys })
      const app = countApp(log, { id: 'count-many-keys', input, output, stateDir: join(dir, 'state'), stores: rocksdbStores(), cacheMaxBytes })
      const timed = await timeStartToStop(app, records)
      const updates = await checkCounts(log, { topic: output, expected: expectedCounts(keys, records) })
      return {
        processing: 'exactly_once',
        commit_interval_ms: countCommitIntervalMs,
        partitions,
        records,
        keys: records,
        key_bytes: keyBytes,
        cache_max_bytes: cacheMaxBytes,
        seconds: timed.seconds,
        records_per_s: records / timed.seconds,
        transactions: timed.commits,
        output_updates: updates,
      }
    } finally {
      await log.close()
    }
  }),
)
