/**
 * One instance of the count app (test/crash/count-workload.ts) on a Kafka broker, under
 * exactly_once, with RocksDB state in its own state directory: the process the Kafka scale-out
 * and zombie tests start, kill (SIGKILL), pause (SIGSTOP, SIGCONT) and stop (SIGTERM). It runs
 * until SIGTERM stops it cleanly, or until the app fails; it ends itself if its parent dies.
 * Lines are written synchronously, so a line the parent read happened before a kill.
 *
 * Usage: node --import tsx test/kafka/count-kafka-child.ts <bootstrap> <stateDir> <appId> <input> <output> <clientId> [tuning]
 *
 * `tuning` is JSON of the count app's tuning overrides (`{"cacheMaxBytes":0,"commitIntervalMs":1000}`).
 *
 * Lines: `ready` (the app started: topics checked, group subscribed); `progress <commits> <recordsIn> <recordsOut>`
 * (each time one grew; records out are sent, into an open transaction until the next commit); `stopped` (SIGTERM: the app committed and stopped cleanly);
 * `failed <error name>: <message>` (the app stopped with this error; the process then exits 1).
 */
import { kafka } from '../../index.js'
import { printLine, runChild } from '../crash/child-main.js'
import { countApp, type CountAppTuning } from '../crash/count-workload.js'
import { KAFKA_COUNT_TUNING, kafkaCountLogOptions } from './count-kafka.js'

const PROGRESS_WATCH_MS = 10
const PARENT_WATCH_MS = 1_000

async function main(): Promise<void> {
  const [bootstrap, stateDir, appId, input, output, clientId, tuningText] = process.argv.slice(2)
  if (bootstrap === undefined || stateDir === undefined || appId === undefined || input === undefined || output === undefined || clientId === undefined) {
    throw new Error('usage: count-kafka-child.ts <bootstrap> <stateDir> <appId> <input> <output> <clientId> [tuning]')
  }
  const parent = process.ppid
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) process.exit(2)
  }, PARENT_WATCH_MS)
  orphanWatch.unref()
  const app = countApp(kafka(kafkaCountLogOptions(bootstrap, clientId)), stateDir, 'exactly_once', {
    ...KAFKA_COUNT_TUNING,
    ...(tuningText === undefined ? {} : (JSON.parse(tuningText) as Pick<CountAppTuning, 'cacheMaxBytes' | 'commitIntervalMs'>)),
    names: { appId, input, output },
  })
  process.on('SIGTERM', () => void app.stop())
  await app.start()
  printLine('ready')
  let reported = ''
  const progressWatch = setInterval(() => {
    const { commits, recordsIn, recordsOut } = app.metrics()
    const progress = `progress ${commits} ${recordsIn} ${recordsOut}`
    if (progress === reported) return
    reported = progress
    printLine(progress)
  }, PROGRESS_WATCH_MS)
  try {
    await app.done
  } catch (error) {
    printLine(`failed ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}`)
    throw error
  } finally {
    clearInterval(progressWatch)
  }
  printLine('stopped')
  // kafkajs may hold a socket a moment after its disconnect: end now that everything is committed.
  process.exit(0)
}

runChild('count-kafka-child', main)
