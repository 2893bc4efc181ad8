/**
 * Restoring a RocksDB store of 10,000,000 entries from its changelog. The changelog of the count
 * app's store (`restore-counts-changelog`, compacted, one partition) is written directly, 10,000
 * records per send, with exactly the bytes the store writes (the string key's UTF-8, the count
 * as an 8-byte float64, here 1 for every key); there is no local state, as after deleting the
 * state directory. Timed from `start()` until `app.store('counts')` serves the last key written:
 * the shard is hosted only once its restore, in the consumer's assignment before any
 * processing, has replayed the whole changelog into RocksDB.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openEmbeddedLog, rocksdbStores, serdes, StoreNotLocalError, type App } from '../../../index.js'
import { changelogTopic } from '../../../state/store-spec.js'
import { countApp, eachKeyOnce, keyBytes, keyOf } from '../counting.js'
import { appendSequence } from '../pipeline.js'
import { elapsedMs, runWorkload, scaled, withTempDir } from '../report.js'

const appId = 'restore'
const store = 'counts'
const input = 'words'
const partitions = 1
const changelogBatchRecords = 10_000
/** Keys read back after the restore to check it (besides the first and last written). */
const sampledKeys = 1_000
/** A restore that is not done after this long (its progress lines come every 5 s) is stuck. */
const stuckAfterMs = 30_000

await runWorkload('restore', () =>
  withTempDir(async (dir) => {
    const records = scaled(10_000_000)
    const keys = eachKeyOnce(records)
    const log = await openEmbeddedLog({ dir: join(dir, 'log'), durability: 'none' })
    try {
      for (const topic of [input, 'counts-out']) await log.createTopic(topic, { partitions })
      const changelog = changelogTopic(appId, store)
      await log.createTopic(changelog, { partitions, cleanup: 'compact' })
      const one = serdes.float64().serialize(1, { topic: changelog, isKey: false })
      const writeStartNs = process.hrtime.bigint()
      await appendSequence(log, {
        records,
        batchRecords: changelogBatchRecords,
        recordOf: (sequence) => ({ topic: changelog, partition: 0, key: Buffer.from(keyOf(keys.index(sequence)), 'utf8'), value: one }),
      })
      const changelogWriteSeconds = elapsedMs(writeStartNs) / 1000

      let progressLines = 0
      const logger = {
        info: (line: string) => {
          progressLines++
          process.stderr.write(`[restore] ${line}\n`)
        },
        warn: (line: string) => process.stderr.write(`[restore] ${line}\n`),
      }
      const app = countApp(log, { id: appId, input, output: 'counts-out', stateDir: join(dir, 'state'), stores: rocksdbStores(), cacheMaxBytes: 10 << 20, logger })
      let failure: unknown
      const lastKey = keyOf(keys.index(records - 1))
      const startNs = process.hrtime.bigint()
      await app.start()
      app.done.catch((error: unknown) => {
        failure = error
      })
      try {
        const lastCount = await whenServed(app, lastKey, () => failure, () => progressLines)
        const seconds = elapsedMs(startNs) / 1000
        if (lastCount !== 1) throw new Error(`restored ${lastKey} = ${lastCount}, expected 1`)
        await checkSample(app, records, keys.index)
        return {
          processing: 'exactly_once',
          partitions,
          records,
          key_bytes: keyBytes,
          value_bytes: one.length,
          changelog_batch_records: changelogBatchRecords,
          changelog_write_seconds: changelogWriteSeconds,
          seconds,
          records_per_s: records / seconds,
          store_approximate_count: await app.store(store).approximateCount(),
        }
      } finally {
        await app.stop()
      }
    } finally {
      await log.close()
    }
  }),
)

/**
 * The value of `key` once the store serves it (a shard is hosted only after its restore),
 * looking every millisecond; throws what `failed()` returns, or when the restore's progress
 * lines stop for 30 s.
 */
async function whenServed(app: App, key: string, failed: () => unknown, progress: () => number): Promise<number | undefined> {
  let lastProgress = progress()
  let lastChangeNs = process.hrtime.bigint()
  for (;;) {
    const failure = failed()
    if (failure !== undefined) throw failure
    try {
      return await app.store<string, number>(store).get(key)
    } catch (error) {
      if (!(error instanceof StoreNotLocalError)) throw error
    }
    if (progress() !== lastProgress) {
      lastProgress = progress()
      lastChangeNs = process.hrtime.bigint()
    } else if (elapsedMs(lastChangeNs) > stuckAfterMs) throw new Error(`restore stuck: ${key} not served after ${lastProgress} progress line(s)`)
    await sleep(1)
  }
}

/** Reads back the first key written and keys spread over the rest: each must count 1. Not timed. */
async function checkSample(app: App, records: number, indexOf: (sequence: number) => number): Promise<void> {
  const counts = app.store<string, number>(store)
  const step = Math.max(1, Math.floor(records / sampledKeys))
  for (let sequence = 0; sequence < records; sequence += step) {
    const key = keyOf(indexOf(sequence))
    const count = await counts.get(key)
    if (count !== 1) throw new Error(`restored ${key} = ${count}, expected 1`)
  }
}
