/**
 * The Nexmark queries: generates a seeded Nexmark run into the three input topics, runs each
 * query (or the ones named) until it has read every bid, and prints how many results it wrote and
 * the first few. On the embedded log (a temporary directory) by default; on Kafka with
 * `TRIBUTARY_KAFKA_BROKERS` set (see `logFromEnv`), where each run's topics and app ids carry a
 * run tag of their own, so that runs against one cluster never read each other's events.
 *
 *   node --import tsx examples/nexmark/index.ts [q1 q2 q3 q4 q5 q7 q8] [--events N] [--seed S] [--rate EVENTS_PER_S]
 *   TRIBUTARY_KAFKA_BROKERS=127.0.0.1:9092 node --import tsx examples/nexmark/index.ts q1 q5
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { App, inMemoryStores, logFromEnv, type LogProvider } from '../../index.js'
import { loadNexmark, NexmarkGenerator } from '../../connectors/nexmark/index.js'
import { q1 } from './q1.js'
import { q2 } from './q2.js'
import { q3 } from './q3.js'
import { q4 } from './q4.js'
import { q5 } from './q5.js'
import { q7 } from './q7.js'
import { q8 } from './q8.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** How many events of each kind a run has (what tells when a query has read everything). */
interface Counts {
  readonly persons: number
  readonly auctions: number
  readonly bids: number
  /** Auctions of category 10 (what q3 re-keys). */
  readonly category10: number
}

/**
 * Each query, and how many records it reads in all (a repartition reads its records twice). q4
 * reads its inputs, then as many regrouped updates as its cache lets through: it runs until it
 * has read its inputs and then reads nothing more for a second.
 */
const QUERIES = {
  q1: { run: q1, reads: (c: Counts) => c.bids },
  q2: { run: q2, reads: (c: Counts) => c.bids },
  q3: { run: q3, reads: (c: Counts) => c.persons + c.auctions + c.category10 },
  q4: { run: q4, reads: (c: Counts) => c.auctions + c.bids, settles: true },
  q5: { run: q5, reads: (c: Counts) => 2 * c.bids },
  q7: { run: q7, reads: (c: Counts) => 2 * c.bids },
  q8: { run: q8, reads: (c: Counts) => c.persons + 2 * c.auctions },
} as const
type QueryName = keyof typeof QUERIES

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string', default: '20000' }, seed: { type: 'string', default: '42' }, rate: { type: 'string', default: '200' } },
})
const names = (positionals.length > 0 ? positionals : Object.keys(QUERIES)) as QueryName[]
for (const name of names) if (!(name in QUERIES)) throw new Error(`unknown query ${name}; known: ${Object.keys(QUERIES).join(', ')}`)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-nexmark-'))
const logs = logFromEnv({ dir, durability: 'none' })
/** A temporary directory is this run's alone; a Kafka cluster is shared, so names there carry the run's start time. */
const runTag = logs.backend === 'kafka' ? `-${Date.now().toString(36)}` : ''
const topicsOf = (name: string): QueryTopics => {
  const { inputs, output } = queryTopics(name)
  return { inputs: { persons: inputs.persons + runTag, auctions: inputs.auctions + runTag, bids: inputs.bids + runTag }, output: output + runTag }
}
try {
  const log = await logs.open()
  const run = { seed: Number(values.seed), eventsPerSecond: Number(values.rate) }
  const loaded = await loadNexmark(log, { ...run, events: Number(values.events), topics: topicsOf('q1').inputs })
  let category10 = 0
  for (const event of new NexmarkGenerator({ ...run, maxEvents: Number(values.events) })) if (event.type === 'auction' && event.auction.category === 10) category10++
  const counts: Counts = { persons: loaded.persons, auctions: loaded.auctions, bids: loaded.bids, category10 }
  for (const name of names) await log.createTopic(topicsOf(name).output, { partitions: 1 })
  await log.close()
  process.stderr.write(`generated ${values.events} events (seed ${values.seed}) into ${logs.location}: ${loaded.persons} persons, ${loaded.auctions} auctions, ${loaded.bids} bids\n`)
  for (const name of names) {
    const started = Date.now()
    // maxTaskIdle: a join's input fed through a repartition topic (q8's auctions) may be empty only
    // because its records are still on their way through the app; its other input waits for them.
    const app = new App({ id: `nexmark-${name}${runTag}`, log: logs, stores: inMemoryStores(), handleSignals: false, commitIntervalMs: 100, maxTaskIdle: '500ms' })
    QUERIES[name].run(app, topicsOf(name))
    await app.start()
    let failure: unknown
    app.done.catch((error: unknown) => (failure = error))
    const query: { reads: (c: Counts) => number; settles?: boolean } = QUERIES[name]
    while (failure === undefined && app.metrics().recordsIn < query.reads(counts)) await sleep(20)
    for (let read = -1, quiet = 0; query.settles === true && failure === undefined && quiet < 10; quiet = app.metrics().recordsIn === read ? quiet + 1 : 0) {
      read = app.metrics().recordsIn
      await sleep(100)
    }
    await app.stop()
    if (failure !== undefined) throw failure
    const seconds = (Date.now() - started) / 1000
    const results = await readOutput(logs, topicsOf(name).output)
    console.log(`${name}: ${results.length} results from ${values.events} events in ${seconds.toFixed(1)} s`)
    for (const line of results.slice(0, 3)) console.log(`  ${line}`)
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** The values of a topic, as text (the example's report): read up to the end offsets it has now. */
async function readOutput(logs: LogProvider, topic: string): Promise<string[]> {
  const log = await logs.open()
  try {
    const consumer = log.consumer()
    const ends = (await log.describeTopic(topic)).partitions.map(({ partition, endOffset }) => ({ topic, partition, endOffset }))
    await consumer.assign(ends)
    const lines: string[] = []
    // A fetch from Kafka takes a moment, so a poll waits for records rather than taking an empty one as the end.
    while (ends.some((end) => consumer.position(end) < end.endOffset)) {
      for (const record of await consumer.poll({ timeoutMs: 1_000 })) lines.push(record.value?.toString('utf8').slice(0, 160) ?? 'null')
    }
    await consumer.close()
    return lines
  } finally {
    await log.close()
  }
}
