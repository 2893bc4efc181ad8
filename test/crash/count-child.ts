/**
 * The process the count-by-key kill -9 test kills: opens the embedded log in the data directory
 * (durability `none`: a kill -9 loses no write the OS has taken; compaction every 100 ms), runs
 * the count app of count-workload.ts with its RocksDB state in the state directory, under the
 * given guarantee and cache size, with broker-like round trips (see eos-round-trips.ts), and
 * stops cleanly once the group has committed every input offset. Lines are written
 * synchronously, so a line the parent read happened before the kill.
 *
 * Usage: node --import tsx test/crash/count-child.ts <dataDir> <stateDir> <at_least_once|exactly_once> <cacheMaxBytes>
 *
 * Lines: `opening`; `starting` (the log is open; the app checks its topics and topology);
 * `ready` (the app runs: its first poll joins the group, then opens and restores the store
 * shards); `commits <n>` (the app's commits so far, each time it grew); `finished` (every input
 * offset committed, the app stopped cleanly, the log closed).
 */
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { Log, TopicPartition } from '../../core/log/types.js'
import { printLine, runChild } from './child-main.js'
import { CHILD_MAINTENANCE_INTERVAL_MS, COUNT_APP_ID, COUNT_INPUT, countApp } from './count-workload.js'
import { withRoundTrips } from './eos-round-trips.js'

const ROUND_TRIPS = { fetchMs: 4, ackMs: 2 }
/** How often the app's commit counter is looked at (it has no commit listener). */
const COMMIT_WATCH_MS = 1
const DONE_CHECK_MS = 20
/** A guard against a child that hangs: the parent waits for lines, and this ends the wait. */
const MAX_RUN_MS = 90_000

async function main(): Promise<void> {
  const [dir, stateDir, processing, cacheText] = process.argv.slice(2)
  if (dir === undefined || stateDir === undefined || (processing !== 'at_least_once' && processing !== 'exactly_once') || cacheText === undefined) {
    throw new Error('usage: count-child.ts <dataDir> <stateDir> <at_least_once|exactly_once> <cacheMaxBytes>')
  }
  const startedMs = Date.now()
  printLine('opening')
  const log = await openEmbeddedLog({ dir, durability: 'none', maintenanceIntervalMs: CHILD_MAINTENANCE_INTERVAL_MS })
  printLine('starting')
  const app = countApp(withRoundTrips(log, ROUND_TRIPS, () => undefined), stateDir, processing, { cacheMaxBytes: Number(cacheText) })
  await app.start()
  printLine('ready')
  let failure: unknown
  app.done.catch((error: unknown) => {
    failure = error
  })
  let reported = 0
  const watch = setInterval(() => {
    const { commits } = app.metrics()
    if (commits === reported) return
    reported = commits
    printLine(`commits ${commits}`)
  }, COMMIT_WATCH_MS)
  try {
    // The wait below is also what keeps the process alive: the log's own timers are unref'd.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, DONE_CHECK_MS))
      if (failure !== undefined) throw failure
      if (await everyInputCommitted(log)) break
      if (Date.now() - startedMs > MAX_RUN_MS) throw new Error(`not done after ${MAX_RUN_MS} ms`)
    }
  } finally {
    clearInterval(watch)
  }
  await app.stop()
  await app.done
  await log.close()
  printLine('finished')
}

/** True once the app's group has committed the end offset of every input partition. */
async function everyInputCommitted(log: Log): Promise<boolean> {
  const { partitions } = await log.describeTopic(COUNT_INPUT)
  const probe = log.consumer({ groupId: COUNT_APP_ID })
  const topicPartitions: TopicPartition[] = partitions.map(({ partition }) => ({ topic: COUNT_INPUT, partition }))
  const committed = await probe.committed(topicPartitions)
  await probe.close()
  return partitions.every(({ endOffset }, index) => committed[index] === endOffset)
}

runChild('count-child', main)
