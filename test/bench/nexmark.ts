/**
 * What the Nexmark workloads share. A workload generates a seeded Nexmark stream of 10,000,000
 * events (persons, auctions and bids; `TRIBUTARY_BENCH_SCALE` multiplies the count) into the
 * three input topics of an embedded log, untimed, then runs one query app over it twice: under
 * exactly_once (the figures of the line) and at_least_once (`alos_*`). Each run is a child
 * process of its own, started from the same workload file, so that each run's `peak_rss_mb` is
 * its own (not the loader's, nor the other run's) and both start on a cold JIT. A run is timed
 * from `app.start()` until the app has read every input record (the repartitioned ones too) and
 * `stop()` has returned. `events_per_s` is every generated event over that time, as Nexmark counts
 * (the events of the whole stream, even for a query that reads only bids).
 *
 * @example
 * // test/bench/workloads/nexmark-q1.ts
 * await runNexmarkWorkload({ name: 'q1', query: q1, readsOf: (event) => (event.type === 'bid' ? 1 : 0) })
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { App, openEmbeddedLog, rocksdbStores, type Log } from '../../index.js'
import { DEFAULT_NEXMARK_TOPICS, loadNexmark, NexmarkGenerator, type NexmarkEvent } from '../../connectors/nexmark/index.js'
import type { QueryTopics } from '../../examples/nexmark/topics.js'
import { benchCommitIntervalMs, timeStartToStop } from './pipeline.js'
import { type Figures, peakRssMb, runWorkload, scaled, withTempDir } from './report.js'

/** The generator's seed: the same events in every run. */
export const nexmarkSeed = 42
/**
 * Event time advances 10,000 events per second (the reference default): 10,000,000 events span
 * 1,000 s of event time, a hundred of q7's 10 s windows.
 */
export const nexmarkEventsPerSecond = 10_000
/** exactly_once's default: a transaction per task every 100 ms. */
const exactlyOnceCommitIntervalMs = 100

type Processing = 'exactly_once' | 'at_least_once'
const processings: readonly Processing[] = ['exactly_once', 'at_least_once']

export interface NexmarkBench {
  /** The query's name: the workload is `nexmark-<name>`. */
  readonly name: string
  /** Declares the query on an app, reading `topics.inputs` and writing `topics.output`. */
  readonly query: (app: App, topics: QueryTopics) => void
  /**
   * How many records the app reads because of this event: one per input topic the query reads
   * it from, plus one more each time the query writes it to a repartition topic (q5 re-keys
   * every bid, so a bid is read twice). The run ends once the app has read them all.
   */
  readonly readsOf: (event: NexmarkEvent) => number
  /** How many results the query writes for this event, where that follows from the event alone (q1, q2). */
  readonly resultsOf?: (event: NexmarkEvent) => number
}

/** What the parent tells a run's child process. */
interface RunPlan {
  readonly processing: Processing
  readonly logDir: string
  readonly stateDir: string
  readonly output: string
  readonly reads: number
}

/** What a run's child reports back. */
interface RunResult {
  readonly seconds: number
  readonly recordsIn: number
  readonly commits: number
  readonly lateRecords: number
  readonly peakRssMb: number
}

/** Set in a run's child process: its `RunPlan`, as JSON. */
const runPlanVariable = 'TRIBUTARY_NEXMARK_RUN'

/**
 * The entry point of a Nexmark workload file. In the workload's own process: loads the events,
 * runs the query in two child processes (this same file, with the run's plan in the
 * environment), checks the outputs and prints the one line. In a child: one timed run.
 */
export async function runNexmarkWorkload(bench: NexmarkBench): Promise<void> {
  const workload = `nexmark-${bench.name}`
  const planText = process.env[runPlanVariable]
  if (planText === undefined) await runWorkload(workload, () => measureNexmark(bench))
  else await runWorkload(`${workload}/run`, () => timeRun(bench, JSON.parse(planText) as RunPlan))
}

async function measureNexmark(bench: NexmarkBench): Promise<Figures> {
  return withTempDir(async (dir) => {
    const events = scaled(10_000_000)
    const logDir = join(dir, 'log')
    const outputOf = (processing: Processing): string => `nexmark-${bench.name}-${processing}`
    const log = await openEmbeddedLog({ dir: logDir, durability: 'none' })
    const loadStartNs = process.hrtime.bigint()
    let loaded: Awaited<ReturnType<typeof loadNexmark>>
    try {
      // Events are stamped from 2015 on (the generator's fixed base time): under the default
      // 7-day retention the log's maintenance (every 30 s) would delete them under the reader.
      const topics = [...Object.values(DEFAULT_NEXMARK_TOPICS), ...processings.map(outputOf)]
      for (const topic of topics) await log.createTopic(topic, { partitions: 1, retentionMs: -1 })
      loaded = await loadNexmark(log, { seed: nexmarkSeed, events, eventsPerSecond: nexmarkEventsPerSecond })
    } finally {
      await log.close()
    }
    const loadSeconds = Number(process.hrtime.bigint() - loadStartNs) / 1e9
    const expected = tally(bench, events)
    const runs = new Map<Processing, RunResult>()
    for (const processing of processings) {
      const plan: RunPlan = { processing, logDir, stateDir: join(dir, 'state'), output: outputOf(processing), reads: expected.reads }
      runs.set(processing, await runChild(bench.name, plan))
    }
    const results = await countResults(logDir, processings.map(outputOf))
    for (const [index, processing] of processings.entries()) {
      const count = results[index] ?? 0
      if (expected.results !== undefined && count !== expected.results) throw new Error(`${outputOf(processing)} holds ${count} results, expected ${expected.results}`)
      if (count === 0) throw new Error(`${outputOf(processing)} holds no results`)
    }
    const exactlyOnce = runs.get('exactly_once')!
    const atLeastOnce = runs.get('at_least_once')!
    return {
      processing: 'exactly_once',
      commit_interval_ms: exactlyOnceCommitIntervalMs,
      events,
      persons: loaded.persons,
      auctions: loaded.auctions,
      bids: loaded.bids,
      records_in: exactlyOnce.recordsIn,
      results: results[0] ?? 0,
      seconds: exactlyOnce.seconds,
      events_per_s: events / exactlyOnce.seconds,
      transactions: exactlyOnce.commits,
      ...(exactlyOnce.lateRecords > 0 ? { late_records: exactlyOnce.lateRecords } : {}),
      alos_commit_interval_ms: benchCommitIntervalMs,
      alos_results: results[1] ?? 0,
      alos_seconds: atLeastOnce.seconds,
      alos_events_per_s: events / atLeastOnce.seconds,
      alos_peak_rss_mb: atLeastOnce.peakRssMb,
      ...(atLeastOnce.lateRecords > 0 ? { alos_late_records: atLeastOnce.lateRecords } : {}),
      load_seconds: loadSeconds,
      // This process's: loading, replaying the generator, reading the outputs.
      load_peak_rss_mb: peakRssMb(),
      peak_rss_mb: exactlyOnce.peakRssMb,
    }
  })
}

/**
 * Replays the generator (same seed and options as the load; untimed, about 3 s per 10,000,000
 * events) to learn how many records the query reads and, where it follows from the events
 * alone, how many results it writes.
 */
function tally(bench: NexmarkBench, events: number): { reads: number; results: number | undefined } {
  const generator = new NexmarkGenerator({ seed: nexmarkSeed, maxEvents: events, eventsPerSecond: nexmarkEventsPerSecond })
  let reads = 0
  let results = 0
  const { readsOf, resultsOf } = bench
  for (let event = generator.nextEvent(); event !== undefined; event = generator.nextEvent()) {
    reads += readsOf(event)
    if (resultsOf !== undefined) results += resultsOf(event)
  }
  return { reads, results: resultsOf === undefined ? undefined : results }
}

/**
 * Runs this workload file again as a child process for one run (the same Node options, so
 * `--cpu-prof` profiles each run on its own), and returns what it reports.
 */
async function runChild(name: string, plan: RunPlan): Promise<RunResult> {
  const script = process.argv[1]
  if (script === undefined) throw new Error('cannot tell which file to run the child from')
  const child = spawn(process.execPath, [...process.execArgv, script], {
    env: { ...process.env, [runPlanVariable]: JSON.stringify(plan) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  let result: RunResult | undefined
  for await (const line of createInterface({ input: child.stdout })) {
    const parsed = parseRunLine(line, `nexmark-${name}/run`)
    if (parsed !== undefined) result = parsed
    else process.stderr.write(`nexmark-${name} ${plan.processing} stdout: ${line}\n`)
  }
  const { code, signal } = await exited
  if (code !== 0 || result === undefined) throw new Error(`the ${plan.processing} run of nexmark-${name} failed: exit ${signal ?? code}${result === undefined ? ', no result' : ''}`)
  return result
}

function parseRunLine(line: string, workload: string): RunResult | undefined {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>
    if (parsed['workload'] !== workload) return undefined
    const number = (field: string): number => {
      const value = parsed[field]
      if (typeof value !== 'number') throw new Error(`${workload}: no ${field} in ${line}`)
      return value
    }
    return { seconds: number('seconds'), recordsIn: number('records_in'), commits: number('commits'), lateRecords: number('late_records'), peakRssMb: number('peak_rss_mb') }
  } catch (error) {
    if (error instanceof SyntaxError) return undefined
    throw error
  }
}

/**
 * One run, in a child process: the query app on the loaded log, RocksDB stores in the temp dir,
 * timed from `start()` until it has read `plan.reads` records and `stop()` has returned. Its
 * line's `peak_rss_mb` is this process's: opening the log, the run, and closing it.
 */
async function timeRun(bench: NexmarkBench, plan: RunPlan): Promise<Figures> {
  const log: Log = await openEmbeddedLog({ dir: plan.logDir, durability: 'none' })
  try {
    const app = new App({
      id: `nexmark-${bench.name}-${plan.processing.replaceAll('_', '-')}`,
      log,
      processing: plan.processing,
      commitIntervalMs: plan.processing === 'exactly_once' ? exactlyOnceCommitIntervalMs : benchCommitIntervalMs,
      stores: rocksdbStores(),
      stateDir: plan.stateDir,
      handleSignals: false,
    })
    bench.query(app, { inputs: DEFAULT_NEXMARK_TOPICS, output: plan.output })
    for (const topic of repartitionTopics(app)) await log.createTopic(topic, { partitions: 1, retentionMs: -1 })
    const run = await timeStartToStop(app, plan.reads)
    const metrics = app.metrics()
    return { seconds: run.seconds, records_in: metrics.recordsIn, commits: run.commits, late_records: metrics.lateRecords }
  } finally {
    await log.close()
  }
}

/**
 * The repartition topics of a declared app (from `app.describe()`). The runtime creates missing
 * ones with the log's default 7-day time retention, so with events stamped in 2015 the embedded
 * log's maintenance (every 30 s) deletes them whole, records not yet read included, and the app
 * stops with an OffsetOutOfRangeError. Created here first, with no time retention (as Kafka
 * Streams creates its repartition topics), and one partition, as the runtime would (its inputs
 * have one).
 */
function repartitionTopics(app: App): string[] {
  return [...app.describe().text.matchAll(/^Repartition topic (\S+)/gm)].map((match) => match[1]!)
}

/** How many records each topic holds (read_committed). Not timed. */
async function countResults(logDir: string, topics: readonly string[]): Promise<number[]> {
  const log = await openEmbeddedLog({ dir: logDir, readOnly: true })
  try {
    const counts: number[] = []
    for (const topic of topics) {
      const consumer = log.consumer({ isolation: 'read_committed' })
      let count = 0
      try {
        await consumer.assign((await log.describeTopic(topic)).partitions.map(({ partition }) => ({ topic, partition })))
        for (let batch = await consumer.poll({ maxRecords: 10_000 }); batch.length > 0; batch = await consumer.poll({ maxRecords: 10_000 })) count += batch.length
      } finally {
        await consumer.close()
      }
      counts.push(count)
    }
    return counts
  } finally {
    await log.close()
  }
}
