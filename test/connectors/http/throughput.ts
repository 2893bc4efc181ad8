/**
 * Rough throughput of the HTTP connectors on loopback, on the embedded log (not a test; run by
 * hand): `npx tsx test/connectors/http/throughput.ts [records]`.
 *
 * - sink: a pre-filled topic → http-sink (batchSize 500) → a server that answers 200 at once;
 * - source: 8 clients POST 100-record JSON arrays one after the other → http-source → the log,
 *   each request answered after the commit (commitInterval 20 ms).
 */
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { httpSink, httpSource } from '../../../connectors/http/index.js'
import { startConnector } from '../../../connectors/runner/index.js'
import { startTestServer } from './http-helpers.js'

const RECORDS = Number(process.argv[2] ?? 100_000)
const quiet = (): void => undefined

async function sinkThroughput(dir: string): Promise<number> {
  const log = await openEmbeddedLog({ dir })
  await log.createTopic('in', { partitions: 1 })
  const producer = log.producer()
  for (let from = 0; from < RECORDS; from += 1000) await producer.send(Array.from({ length: 1000 }, (_, index) => ({ topic: 'in', key: null, value: Buffer.from(JSON.stringify({ seq: from + index, payload: 'x'.repeat(80) })) })))
  await producer.close()
  let received = 0
  const server = await startTestServer((request) => {
    received += (JSON.parse(request.body) as unknown[]).length
    return { status: 200 }
  })
  const started = performance.now()
  const running = await startConnector(log, { name: 'out', connector: httpSink, topics: ['in'], commitInterval: 200, config: { url: server.url, batchSize: 500 } }, { logSink: quiet })
  await server.waitUntil(() => received >= RECORDS, 120_000)
  const seconds = (performance.now() - started) / 1000
  await running.stop()
  await server.close()
  await log.close()
  return RECORDS / seconds
}

async function sourceThroughput(dir: string): Promise<number> {
  const log = await openEmbeddedLog({ dir })
  const running = await startConnector(log, { name: 'in', connector: httpSource, topic: 'hooks', commitInterval: 20, config: { maxQueuedRecords: 100_000 } }, { logSink: quiet })
  const url = `http://127.0.0.1:${running.metrics().custom.port}/`
  const agent = new http.Agent({ keepAlive: true })
  const body = JSON.stringify(Array.from({ length: 100 }, (_, seq) => ({ seq, payload: 'x'.repeat(80) })))
  let posted = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (posted < RECORDS) {
      posted += 100
      const reply = await new Promise<number>((resolve, reject) => {
        const request = http.request(url, { method: 'POST', agent }, (response) => (response.resume(), resolve(response.statusCode ?? 0)))
        request.on('error', reject)
        request.end(body)
      })
      if (reply !== 200) throw new Error(`status ${reply}`)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  await running.stop()
  await log.close()
  return posted / seconds
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-http-throughput-'))
try {
  const sink = await sinkThroughput(path.join(root, 'sink'))
  const source = await sourceThroughput(path.join(root, 'source'))
  console.log(JSON.stringify({ records: RECORDS, sinkRecordsPerSecond: Math.round(sink), sourceRecordsPerSecond: Math.round(source) }))
} finally {
  fs.rmSync(root, { recursive: true, force: true })
}
