/**
 * `npm run bench:compare`: Tributary against Kafka Streams on the same machine, the same Nexmark
 * events and the same queries. It builds the Kafka Streams anchor if needed, starts a one-broker
 * Kafka, loads the seeded events into its three input topics (and into an embedded log), then for
 * each query and processing mode runs Kafka Streams and Tributary on Kafka (alternating which goes
 * first), then Tributary on the embedded log, checks that the outputs agree (every key's last
 * value, as JSON), and prints one JSON line. At the end it writes results.svg and results.md
 * beside this file.
 *
 *   npm run -s bench:compare                        # every query, both modes
 *   TRIBUTARY_COMPARE_EVENTS=20000 npm run -s bench:compare -- q1 copy
 *
 * Environment: TRIBUTARY_COMPARE_EVENTS (events; default below), TRIBUTARY_COMPARE_PARTITIONS
 * (partitions of the input topics, default 1), TRIBUTARY_COMPARE_VERBOSE=1 (pass on the children's
 * stderr; otherwise only a failed child's tail is shown). Arguments: query names and/or modes to run.
 *
 * @example
 * // tsx test/bench/compare/run.ts q5 exactly_once
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openEmbeddedLog, openKafkaLog, type Log } from '../../../index.js'
import { DEFAULT_NEXMARK_TOPICS, loadNexmark } from '../../../connectors/nexmark/index.js'
import { startKafka, type KafkaCluster } from '../../kafka/broker.js'
import { anchorJar } from './anchor-jar.js'
import { runKafkaStreams, runTributary, type TimedRun } from './children.js'
import { compareFinalValues, finalValues, type FinalValues } from './outputs.js'
import { commitIntervalMsOf, compareQueries, isQueryName, processings, queryNames, type Processing, type QueryName } from './queries.js'
import { machineDescription, ratioChart, resultsTable, type CompareLine } from './report.js'

/**
 * The events of a default run: what fits in 20 minutes on the 2-core machine with a margin.
 * Measured there: on 2026-11-26 (an AMD EPYC host) 5,000,000 events took 26.9 min in all at
 * f39d43c (Kafka Streams' runs 7.9 min, Tributary's on Kafka 9.3, on the embedded log 6.2) and
 * 2,500,000 took 18.9 min from a fresh clone at 12b31a0; on 2026-11-27 (a slower Intel Xeon host)
 * 2,000,000 took 21.3 min at f0a655f, 22.0 at e3c4448 and 20.2 at cbe0d39, each from a fresh clone
 * with the anchor's Maven build (Kafka Streams' own runs about 8 of those minutes). The time grows
 * about in step with the events, on top of about 2 minutes that do not.
 */
const defaultEvents = 1_500_000
const seed = 42
const eventsPerSecond = 10_000

const here = fileURLToPath(new URL('.', import.meta.url))
const events = positiveIntegerFromEnv('TRIBUTARY_COMPARE_EVENTS', defaultEvents)
const partitions = positiveIntegerFromEnv('TRIBUTARY_COMPARE_PARTITIONS', 1)
const { queries, modes } = selection(process.argv.slice(2))
const notes: string[] = []

function note(text: string): void {
  notes.push(text)
  process.stderr.write(`${text}\n`)
}

function positiveIntegerFromEnv(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text.replaceAll('_', ''))
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${text}"`)
  return value
}

function selection(args: readonly string[]): { queries: QueryName[]; modes: Processing[] } {
  const unknown = args.filter((arg) => !isQueryName(arg) && !(processings as readonly string[]).includes(arg))
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(', ')}; queries: ${queryNames.join(', ')}; modes: ${processings.join(', ')}`)
  const chosenQueries = args.filter(isQueryName)
  const chosenModes = processings.filter((mode) => args.includes(mode))
  return { queries: chosenQueries.length > 0 ? chosenQueries : [...queryNames], modes: chosenModes.length > 0 ? chosenModes : [...processings] }
}

function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9
}

/** The input topics, made before the load with no time retention: the events are stamped in 2015. */
async function loadEvents(log: Log, where: string): Promise<void> {
  const startNs = process.hrtime.bigint()
  for (const topic of Object.values(DEFAULT_NEXMARK_TOPICS)) await log.createTopic(topic, { partitions, retentionMs: -1 })
  const loaded = await loadNexmark(log, { seed, events, partitions, eventsPerSecond })
  note(`loaded ${events} events (seed ${seed}; ${loaded.persons} persons, ${loaded.auctions} auctions, ${loaded.bids} bids) into ${where} in ${secondsSince(startNs).toFixed(1)} s`)
}

async function withEmbeddedLog<T>(dir: string, body: (log: Log) => Promise<T>): Promise<T> {
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  try {
    return await body(log)
  } finally {
    await log.close()
  }
}

/** Prints the differences of `actual` from Kafka Streams' output; true when there are none. */
function agrees(label: string, query: QueryName, expected: FinalValues, actual: FinalValues): boolean {
  const { count, first } = compareFinalValues(expected, actual, compareQueries[query].comparable)
  if (count === 0) return true
  process.stderr.write(`${label}: ${count} keys differ from Kafka Streams' output (${expected.size} keys there, ${actual.size} here); the first:\n`)
  for (const difference of first) process.stderr.write(`  key ${difference.key}: Kafka Streams ${difference.expected ?? '(none)'}\n  ${' '.repeat(difference.key.length + 5)}Tributary     ${difference.actual ?? '(none)'}\n`)
  return false
}

function shortMode(mode: Processing): string {
  return mode === 'exactly_once' ? 'eos' : 'alos'
}

/** The output topics of a query and mode: Kafka Streams' and Tributary's on Kafka, Tributary's on the embedded log. */
function outputTopics(query: QueryName, mode: Processing): { kafkaStreams: string; kafka: string; embedded: string } {
  const short = shortMode(mode)
  return { kafkaStreams: `ks-${query}-${short}`, kafka: `tributary-${query}-${short}`, embedded: `tributary-${query}-${short}` }
}

interface Context {
  readonly jar: string
  readonly cluster: KafkaCluster
  readonly kafkaLog: Log
  readonly embeddedDir: string
  readonly stateDir: string
}

async function compareOne(context: Context, query: QueryName, mode: Processing, kafkaStreamsFirst: boolean): Promise<CompareLine> {
  const { kafkaLog, cluster } = context
  const short = shortMode(mode)
  const outputs = outputTopics(query, mode)
  for (const topic of [outputs.kafkaStreams, outputs.kafka]) await kafkaLog.createTopic(topic, { partitions, retentionMs: -1 })
  const kafkaStreamsRun = (): Promise<TimedRun> =>
    runKafkaStreams({ jar: context.jar, bootstrap: cluster.bootstrap, query, processing: mode, appId: `ks-${query}-${short}`, output: outputs.kafkaStreams, stateDir: join(context.stateDir, `ks-${query}-${short}`) })
  const tributaryRun = (): Promise<TimedRun> =>
    runTributary({ log: { kafka: cluster.bootstrap }, query, processing: mode, appId: `tributary-kafka-${query}-${short}`, output: outputs.kafka, stateDir: join(context.stateDir, `tributary-kafka-${query}-${short}`), partitions })
  const pairStartNs = process.hrtime.bigint()
  let kafkaStreams: TimedRun
  let kafka: TimedRun
  if (kafkaStreamsFirst) {
    kafkaStreams = await kafkaStreamsRun()
    kafka = await tributaryRun()
  } else {
    kafka = await tributaryRun()
    kafkaStreams = await kafkaStreamsRun()
  }
  const readStartNs = process.hrtime.bigint()
  const { keyText } = compareQueries[query]
  const expected = await finalValues(kafkaLog, outputs.kafkaStreams, keyText)
  const kafkaAgrees = agrees(`${query} ${mode} Tributary on Kafka`, query, expected, await finalValues(kafkaLog, outputs.kafka, keyText))

  const embeddedStartNs = process.hrtime.bigint()
  const embedded = await runTributary({ log: { embeddedDir: context.embeddedDir }, query, processing: mode, appId: `tributary-embedded-${query}-${short}`, output: outputs.embedded, stateDir: join(context.stateDir, `tributary-embedded-${query}-${short}`), partitions })
  const embeddedReadStartNs = process.hrtime.bigint()
  const embeddedValues = await withEmbeddedLog(context.embeddedDir, (log) => finalValues(log, outputs.embedded, keyText))
  const embeddedAgrees = agrees(`${query} ${mode} Tributary embedded`, query, expected, embeddedValues)
  const wall = (fromNs: bigint, toNs: bigint): string => (Number(toNs - fromNs) / 1e9).toFixed(1)
  process.stderr.write(`${query} ${mode}: wall time ${wall(pairStartNs, process.hrtime.bigint())} s: both runs on Kafka ${wall(pairStartNs, readStartNs)} s, reading their outputs ${wall(readStartNs, embeddedStartNs)} s, the embedded run ${wall(embeddedStartNs, embeddedReadStartNs)} s, reading its output ${wall(embeddedReadStartNs, process.hrtime.bigint())} s\n`)
  if (expected.size === 0) process.stderr.write(`${query} ${mode}: every output is empty (too few events for a window to close?): nothing to compare\n`)
  process.stderr.write(`${query} ${mode}: Kafka Streams read ${kafkaStreams.eventsRead} in ${kafkaStreams.seconds.toFixed(2)} s, Tributary on Kafka ${kafka.eventsRead} in ${kafka.seconds.toFixed(2)} s, embedded ${embedded.eventsRead} in ${embedded.seconds.toFixed(2)} s; ${expected.size} output keys\n`)

  const rate = (run: TimedRun): number => events / run.seconds
  return {
    query,
    mode,
    events,
    kafka_streams_events_per_s: rate(kafkaStreams),
    kafka_events_per_s: rate(kafka),
    embedded_events_per_s: rate(embedded),
    ratio_kafka_to_kafka_streams: rate(kafka) / rate(kafkaStreams),
    ratio_embedded_to_kafka_streams: rate(embedded) / rate(kafkaStreams),
    outputs_agree: kafkaAgrees && embeddedAgrees,
    output_keys: expected.size,
  }
}

async function main(): Promise<void> {
  const startNs = process.hrtime.bigint()
  const dir = await mkdtemp(join(tmpdir(), 'tributary-compare-'))
  const jar = join(dir, 'kafka-streams-anchor.jar')
  let cluster: KafkaCluster | undefined
  let kafkaLog: Log | undefined
  const cleanUp = async (): Promise<void> => {
    await kafkaLog?.close().catch(() => undefined)
    await cluster?.stop().catch((error: unknown) => process.stderr.write(`stopping Kafka: ${String(error)}\n`))
    await rm(dir, { recursive: true, force: true })
  }
  process.once('SIGINT', () => {
    process.stderr.write('interrupted: stopping Kafka and removing the temp dir\n')
    void cleanUp().finally(() => process.exit(130))
  })
  try {
    // Runs a copy: a rebuild of the anchor during the run would swap the jar under a running JVM.
    await copyFile(await anchorJar(), jar)
    cluster = await startKafka({ brokers: 1 })
    kafkaLog = await openKafkaLog({ brokers: cluster.bootstrap })
    await loadEvents(kafkaLog, `Kafka (${partitions} partition${partitions === 1 ? '' : 's'} a topic)`)
    const embeddedDir = join(dir, 'embedded')
    await withEmbeddedLog(embeddedDir, async (log) => {
      await loadEvents(log, 'an embedded log')
      // Every output topic now: an open of the embedded log takes seconds once it holds a few runs.
      for (const query of queries) for (const mode of modes) await log.createTopic(outputTopics(query, mode).embedded, { partitions, retentionMs: -1 })
    })
    if (events === defaultEvents) note(`${events} events: the default, what fits in 20 minutes on a 2-core machine (TRIBUTARY_COMPARE_EVENTS sets another count)`)
    note(`commit interval ${commitIntervalMsOf('at_least_once')} ms at_least_once, ${commitIntervalMsOf('exactly_once')} ms exactly_once, in both systems; one stream thread; RocksDB stores`)
    note('events/s: all generated events over the seconds from start until the group committed the end offsets of its inputs and repartition topics')
    const lines: CompareLine[] = []
    let pair = 0
    for (const query of queries) {
      for (const mode of modes) {
        const line = await compareOne({ jar, cluster, kafkaLog, embeddedDir, stateDir: join(dir, 'state') }, query, mode, pair++ % 2 === 0)
        lines.push(line)
        process.stdout.write(`${JSON.stringify(line)}\n`)
      }
    }
    note(`the whole comparison took ${(secondsSince(startNs) / 60).toFixed(1)} min`)
    const machine = machineDescription()
    await writeFile(join(here, 'results.svg'), ratioChart(lines, machine))
    await writeFile(join(here, 'results.md'), resultsTable(lines, machine, notes))
    process.stderr.write(`wrote ${join(here, 'results.svg')} and results.md\n`)
  } finally {
    await cleanUp()
  }
}

try {
  await main()
} catch (error) {
  process.stderr.write(`bench:compare failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
}
// Everything is stopped and removed by now. Exits outright: once (a 100,000-event run on
// 2026-11-27) the process stayed alive after its clean-up, with no handle or request left in
// this thread to explain it, and the command never returned.
process.exit()
