/**
 * An app run as a child process by shutdown.test.ts: it copies `in` to `out` on the embedded log
 * in DIR, with the default signal handling. On stdout it reports `started` once it runs,
 * `processed <n>` after each record it pushes through its pipeline, and `waiting` each time
 * its log waits for records (so, once every record is processed: the app is idle).
 *
 *   node --import tsx test/runtime/signal-child.ts DIR at_least_once|exactly_once [MAX_POLL_RECORDS]
 */
import { App, embedded, serdes, systemClock, type Clock } from '../../index.js'
import { peek } from '../../operators/index.js'

const [dir, processing, maxPollRecords = '1000'] = process.argv.slice(2)
if (dir === undefined || (processing !== 'at_least_once' && processing !== 'exactly_once')) {
  process.stderr.write('usage: signal-child.ts DIR at_least_once|exactly_once [MAX_POLL_RECORDS]\n')
  process.exit(2)
}

const reportingClock: Clock = {
  now: () => systemClock.now(),
  setTimeout: (callback, delayMs) => {
    process.stdout.write('waiting\n')
    return systemClock.setTimeout(callback, delayMs)
  },
  clearTimeout: (handle) => systemClock.clearTimeout(handle),
}

// A long commit interval: whatever gets committed, the graceful stop commits.
const app = new App({
  id: 'signalled',
  log: embedded({ dir, durability: 'none', clock: reportingClock }),
  processing,
  commitIntervalMs: 600_000,
  maxPollRecords: Number(maxPollRecords),
})
let processed = 0
app
  .stream('in', { key: serdes.string(), value: serdes.string() })
  .pipe(peek(() => process.stdout.write(`processed ${++processed}\n`)))
  .to('out', { key: serdes.string(), value: serdes.string() })
await app.start()
process.stdout.write('started\n')
