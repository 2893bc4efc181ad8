/**
 * Wordcount with its counts in RocksDB: loads a text into the `lines` topic, runs the wordcount
 * app until it has counted every line, then asks the app's `word-counts` store for the top words
 * (an interactive query) and prints them. On the embedded log by default; on Kafka with
 * `TRIBUTARY_KAFKA_BROKERS` set (see `logFromEnv`), the same code.
 *
 *   node --import tsx examples/wordcount/index.ts [TEXT_FILE] [--data DIR] [--top N]
 *   TRIBUTARY_KAFKA_BROKERS=127.0.0.1:9092 node --import tsx examples/wordcount/index.ts
 *
 * With `--data DIR` the log and the state stay in DIR: run it twice and the counts go on from
 * where they were (the second run restores nothing it already has, thanks to checkpoints). On
 * Kafka the topics stay on the cluster, so a second run counts on from the first as well.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { App, logFromEnv } from '../../index.js'
import { wordcount } from './topology.js'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string' }, top: { type: 'string', default: '10' } } })
const textFile = positionals[0] ?? path.join(import.meta.dirname, 'sample.txt')
const root = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-wordcount-'))
const dir = path.join(root, 'log')
const stateDir = path.join(root, 'state')
const top = Number(values.top)
const logs = logFromEnv({ dir, durability: 'none' })

// 1. Load the text: one record per line.
const log = await logs.open()
if (!(await log.listTopics()).includes('lines')) await log.createTopic('lines', { partitions: 3 })
if (!(await log.listTopics()).includes('word-counts')) await log.createTopic('word-counts', { partitions: 3, cleanup: 'compact' })
const lines = fs.readFileSync(textFile, 'utf8').split('\n').filter((line) => line.trim().length > 0)
const producer = log.producer()
for (let i = 0; i < lines.length; i += 1000) await producer.send(lines.slice(i, i + 1000).map((line) => ({ topic: 'lines', value: Buffer.from(line) })))
const totalLines = (await log.describeTopic('lines')).partitions.reduce((sum, partition) => sum + partition.endOffset, 0)
await log.close()
process.stderr.write(`loaded ${lines.length} lines from ${path.basename(textFile)} into ${logs.location}\n`)

// 2. Run the app until it has counted every line, then read its store.
const app = new App({ id: 'wordcount', log: logs, stateDir, commitIntervalMs: 200 })
wordcount(app)
const progress = setInterval(() => process.stderr.write(`\rprocessed ${app.metrics().recordsIn} records`), 100)
await app.start()
// Lines, then each word once more through the repartition topic.
const words = lines.reduce((sum, line) => sum + line.split(/[^\p{L}\p{N}']+/u).filter((word) => word.length > 0).length, 0)
while (app.metrics().recordsIn < lines.length + words) await new Promise((resolve) => setTimeout(resolve, 50))
// A record counts as in when the task takes it, before the chain has counted it: a commit after
// that point comes only once every record taken before it has gone through the chain.
const commits = app.metrics().commits
while (app.metrics().commits < commits + 1) await new Promise((resolve) => setTimeout(resolve, 20))
clearInterval(progress)
// Reads see every count, also those still in the store's cache (they reach the changelog at the next commit).
const counts: [string, number][] = []
for await (const { key, value } of app.store<string, number>('word-counts').all()) counts.push([key, value])
await app.stop()
process.stderr.write(`\rprocessed ${app.metrics().recordsIn} records (${totalLines} lines in the topic), ${counts.length} distinct words\n`)

console.log(`top ${top} words:`)
for (const [word, count] of counts.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, top)) console.log(`${String(count).padStart(6)}  ${word}`)
if (values.data === undefined) fs.rmSync(root, { recursive: true, force: true })
