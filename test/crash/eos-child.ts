/**
 * The process the exactly-once kill -9 test kills: opens the embedded log in the data directory
 * given as argv[2] (durability `none`: a kill -9 loses no write the OS has taken), runs the app
 * `eos-input → mapValues → eos-output` under exactly_once with broker-like round trips (see
 * eos-round-trips.ts), and stops cleanly once the group has committed every input offset.
 * Lines are written synchronously, so a line the parent read happened before the kill.
 *
 * Usage: node --import tsx test/crash/eos-child.ts <dataDir>
 *
 * Lines: `opening`, `ready`, `commit <transactionalId> <records>` (after each transaction
 * commit), `finished` (every input offset committed; the log closed).
 */
import { App, serdes } from '../../index.js'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { Log, TopicPartition } from '../../core/log/types.js'
import { mapValues } from '../../operators/index.js'
import { printLine, runChild } from './child-main.js'
import { withRoundTrips } from './eos-round-trips.js'
import { EOS_APP_ID, EOS_INPUT, EOS_OUTPUT, mapValue } from './eos-workload.js'

/** Small polls and commits, so the input takes seconds and the run is many transactions. */
const MAX_POLL_RECORDS = 20
const COMMIT_INTERVAL_MS = 20
const ROUND_TRIPS = { fetchMs: 4, ackMs: 2 }
const DONE_CHECK_MS = 20
/** A guard against a child that hangs: the parent waits for lines, and this ends the wait. */
const MAX_RUN_MS = 90_000

async function main(): Promise<void> {
  const dir = process.argv[2]
  if (dir === undefined) throw new Error('usage: eos-child.ts <dataDir>')
  const startedMs = Date.now()
  printLine('opening')
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  const app = new App({
    id: EOS_APP_ID,
    log: withRoundTrips(log, ROUND_TRIPS, (transactionalId, records) => printLine(`commit ${transactionalId} ${records}`)),
    processing: 'exactly_once',
    commitIntervalMs: COMMIT_INTERVAL_MS,
    maxPollRecords: MAX_POLL_RECORDS,
    handleSignals: false,
  })
  app
    .stream(EOS_INPUT, { key: serdes.string(), value: serdes.string() })
    .pipe(mapValues(mapValue))
    .to(EOS_OUTPUT, { key: serdes.string(), value: serdes.string() })
  await app.start()
  printLine('ready')
  // The wait below is also what keeps the process alive: the log's own timers are unref'd.
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, DONE_CHECK_MS))
    if (await everyInputCommitted(log)) break
    if (Date.now() - startedMs > MAX_RUN_MS) throw new Error(`not done after ${MAX_RUN_MS} ms`)
  }
  await app.stop()
  await app.done
  await log.close()
  printLine('finished')
}

/** True once the app's group has committed the end offset of every input partition. */
async function everyInputCommitted(log: Log): Promise<boolean> {
  const { partitions } = await log.describeTopic(EOS_INPUT)
  const probe = log.consumer({ groupId: EOS_APP_ID })
  const topicPartitions: TopicPartition[] = partitions.map(({ partition }) => ({ topic: EOS_INPUT, partition }))
  const committed = await probe.committed(topicPartitions)
  await probe.close()
  return partitions.every(({ endOffset }, index) => committed[index] === endOffset)
}

runChild('eos-child', main)
