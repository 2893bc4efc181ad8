/**
 * One Tributary run, in a child process of its own (its own heap and JIT, as the Kafka Streams
 * run has its own JVM): the query's app on the log named in `TRIBUTARY_COMPARE_RUN` (a JSON
 * `TributaryRunPlan`), RocksDB stores in the plan's state dir, timed from `app.start()` until the
 * app's group has committed the end offsets of the inputs it reads and of its repartition topics
 * (looked at every 200 ms, as the Kafka Streams anchor does). Then it stops the app and prints one
 * line: `{"events_read":N,"seconds":S}` (events_read: records the app took in, repartitioned
 * ones included).
 *
 * @example
 * TRIBUTARY_COMPARE_RUN='{"log":{"kafka":"127.0.0.1:9092"},"query":"q1",...}' node --import tsx test/bench/compare/tributary-child.ts
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { App, openEmbeddedLog, openKafkaLog, rocksdbStores, type Log } from '../../../index.js'
import { DEFAULT_NEXMARK_TOPICS } from '../../../connectors/nexmark/index.js'
import { groupCaughtUp } from './caught-up.js'
import { commitIntervalMsOf, compareQueries } from './queries.js'
import { runPlanVariable, type TributaryRunPlan } from './run-plan.js'

const caughtUpCheckIntervalMs = 200

async function openLog(plan: TributaryRunPlan): Promise<Log> {
  return 'kafka' in plan.log ? openKafkaLog({ brokers: plan.log.kafka }) : openEmbeddedLog({ dir: plan.log.embeddedDir, durability: 'none' })
}

async function run(plan: TributaryRunPlan): Promise<{ events_read: number; seconds: number }> {
  const log = await openLog(plan)
  try {
    const query = compareQueries[plan.query]
    const app = new App({
      id: plan.appId,
      log,
      processing: plan.processing,
      commitIntervalMs: commitIntervalMsOf(plan.processing),
      stores: rocksdbStores(),
      stateDir: plan.stateDir,
      handleSignals: false,
      // As the Kafka Streams anchor's max.task.idle.ms: q8's join waits for the auctions still in
      // its repartition topic instead of running its persons ahead of them.
      maxTaskIdle: '500ms',
    })
    query.declare(app, { inputs: DEFAULT_NEXMARK_TOPICS, output: plan.output })
    const repartitions = repartitionTopics(app)
    // Made here with no time retention (as Kafka Streams makes its own): the events are stamped
    // in 2015, and a 7-day retention would delete them under the reader.
    const existing = new Set(await log.listTopics())
    for (const topic of repartitions) if (!existing.has(topic)) await log.createTopic(topic, { partitions: plan.partitions, retentionMs: -1 })
    const watched = [...query.reads(DEFAULT_NEXMARK_TOPICS), ...repartitions]
    let failure: unknown
    const startNs = process.hrtime.bigint()
    await app.start()
    app.done.catch((error: unknown) => (failure = error))
    // On Kafka the watch has a client of its own: the app's admin client answers the app's own
    // offset lookups, and kafkajs mixes up two concurrent lookups of one topic on one admin.
    const watch = 'kafka' in plan.log ? await openKafkaLog({ brokers: plan.log.kafka }) : log
    let seconds = Number.NaN
    try {
      while (failure === undefined && !(await groupCaughtUp(watch, plan.appId, watched))) await sleep(caughtUpCheckIntervalMs)
      seconds = Number(process.hrtime.bigint() - startNs) / 1e9
    } finally {
      await app.stop()
      if (watch !== log) await watch.close()
    }
    if (failure !== undefined) throw failure
    await app.done
    return { events_read: app.metrics().recordsIn, seconds }
  } finally {
    await log.close()
  }
}

/** The repartition topics of a declared app (from `app.describe()`). */
function repartitionTopics(app: App): string[] {
  return [...app.describe().text.matchAll(/^Repartition topic (\S+)/gm)].map((match) => match[1]!)
}

const planText = process.env[runPlanVariable]
if (planText === undefined) {
  process.stderr.write(`${runPlanVariable} is not set: this file is run by test/bench/compare/run.ts\n`)
  process.exit(2)
}
try {
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(planText) as TributaryRunPlan))}\n`)
  process.exit(0)
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
}
