/**
 * The Nexmark queries on the embedded log: generates a seeded Nexmark run into the three
 * input topics, runs each query (or the ones named) until it has read every bid, and prints how
 * many results it wrote and the first few.
 *
 *   node --import tsx examples/nexmark/index.ts [q1 q2 q3 q4 q5 q7 q8] [--events N] [--seed S] [--rate EVENTS_PER_S]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { App, embedded, inMemoryStores, openEmbeddedLog, type Log } from '../../index.js'
import { loadNexmark, NexmarkGenerator } from '../../connectors/nexmark/index.js'
import { q1 } from './q1.js'
import { q2 } from './q2.js'
import { q3 } from './q3.js'
import { q4 } from './q4.js'
import { q5 } from './q5.js'
import { q7 } from './q7.js'
import { q8 } from './q8.js'
import { queryTopics } from './topics.js'

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
try {
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  const run = { seed: Number(values.seed), eventsPerSecond: Number(values.rate) }
  const loaded = await loadNexmark(log, { ...run, events: Number(values.events) })
  let category10 = 0
  for (const event of new NexmarkGenerator({ ...run, maxEvents: Number(values.events) })) if (event.type === 'auction' && event.auction.category === 10) category10++
  const counts: Counts = { persons: loaded.persons, auctions: loaded.auctions, bids: loaded.bids, category10 }
  for (const name of names) await log.createTopic(queryTopics(name).output, { partitions: 1 })
  await log.close()
  process.stderr.write(`generated ${values.events} events (seed ${values.seed}): ${loaded.persons} persons, ${loaded.auctions} auctions, ${loaded.bids} bids\n`)
  for (const name of names) {
    const started = Date.now()
    const app = new App({ id: `nexmark-${name}`, log: embedded({ dir, durability: 'none' }), stores: inMemoryStores(), handleSignals: false, commitIntervalMs: 100 })
    QUERIES[name].run(app)
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
    const results = await readOutput(dir, queryTopics(name).output)
    console.log(`${name}: ${results.length} results from ${values.events} events in ${seconds.toFixed(1)} s`)
    for (const line of results.slice(0, 3)) console.log(`  ${line}`)
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** The values of a topic, as text (the example's report). */
async function readOutput(dir: string, topic: string): Promise<string[]> {
  const log: Log = await openEmbeddedLog({ dir, readOnly: true })
  try {
    const consumer = log.consumer()
    await consumer.assign((await log.describeTopic(topic)).partitions.map(({ partition }) => ({ topic, partition })))
    const lines: string[] = []
    for (let batch = await consumer.poll(); batch.length > 0; batch = await consumer.poll()) for (const record of batch) lines.push(record.value?.toString('utf8').slice(0, 160) ?? 'null')
    return lines
  } finally {
    await log.close()
  }
}
