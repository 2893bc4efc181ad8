/**
 * Wordcount on the embedded log: loads a text into the `lines` topic, runs the wordcount app
 * until it has processed every line, then reads the `words` topic and prints the top words.
 *
 *   node --import tsx examples/wordcount/index.ts [TEXT_FILE] [--data DIR] [--top N]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { App, embedded, openEmbeddedLog } from '../../index.js'
import { wordcount } from './topology.js'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string' }, top: { type: 'string', default: '10' } } })
const textFile = positionals[0] ?? path.join(import.meta.dirname, 'sample.txt')
const dir = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-wordcount-'))
const top = Number(values.top)

// 1. Load the text: one record per line.
const log = await openEmbeddedLog({ dir, durability: 'none' })
for (const topic of ['lines', 'words']) if (!(await log.listTopics()).includes(topic)) await log.createTopic(topic, { partitions: 3 })
const lines = fs.readFileSync(textFile, 'utf8').split('\n').filter((line) => line.trim().length > 0)
const producer = log.producer()
for (let i = 0; i < lines.length; i += 1000) await producer.send(lines.slice(i, i + 1000).map((line) => ({ topic: 'lines', value: Buffer.from(line) })))
await log.close()
process.stderr.write(`loaded ${lines.length} lines from ${path.basename(textFile)} into ${dir}\n`)

// 2. Run the app until it has read every line.
const app = new App({ id: 'wordcount', log: embedded({ dir, durability: 'none' }), commitIntervalMs: 200 })
wordcount(app)
const progress = setInterval(() => process.stderr.write(`\rprocessed ${app.metrics().recordsIn} of ${lines.length} lines, wrote ${app.metrics().recordsOut} words`), 100)
await app.start()
while (app.metrics().recordsIn < lines.length) await new Promise((resolve) => setTimeout(resolve, 50))
await app.stop()
clearInterval(progress)
process.stderr.write(`\rprocessed ${app.metrics().recordsIn} lines, wrote ${app.metrics().recordsOut} words\n`)

// 3. Report: count the words the app wrote.
const reader = await openEmbeddedLog({ dir, readOnly: true })
const consumer = reader.consumer()
const { partitions } = await reader.describeTopic('words')
await consumer.assign(partitions.map(({ partition }) => ({ topic: 'words', partition })))
const counts = new Map<string, number>()
for (let batch = await consumer.poll(); batch.length > 0; batch = await consumer.poll()) {
  for (const record of batch) counts.set(String(record.key), (counts.get(String(record.key)) ?? 0) + 1)
}
await reader.close()
console.log(`top ${top} words:`)
for (const [word, count] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, top)) console.log(`${String(count).padStart(6)}  ${word}`)
if (values.data === undefined) fs.rmSync(dir, { recursive: true, force: true })
