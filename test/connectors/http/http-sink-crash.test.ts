/**
 * kill -9 of the http-sink: `tributary connect` runs the sink in a child process, reading a
 * pre-filled topic and sending it to a server in this process, and is killed with SIGKILL at
 * random moments (each when the server has received a chosen number of requests since the
 * child started, before or after answering it), then started again. At the end every record was
 * received at least once, a key always named the same records, and keeping one copy per
 * Idempotency-Key and offset gives exactly the input.
 *
 * TRIBUTARY_HTTP_CRASH_KILLS (default 10 × TRIBUTARY_CHAOS_SCALE) sets the kills;
 * TRIBUTARY_CRASH_SEED replays a run.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { checkRecords } from '../../chaos/checker.js'
import { chaosScale, reportSuite } from '../../chaos/report.js'
import { makeScratchDirectory } from '../../crash/scratch.js'
import { seedFromEnv, seededRandom } from '../../crash/seeded-random.js'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const KILLS = Number(process.env.TRIBUTARY_HTTP_CRASH_KILLS || Math.round(10 * chaosScale()))
const SEED = seedFromEnv('TRIBUTARY_CRASH_SEED', 20_261_126)
const PARTITIONS = 2
/** 2,000 records a kill: a run sends about 13 requests of 100 before its kill, so records are left for every kill. */
const RECORDS = 2_000 * KILLS
const REQUEST_RECORDS = 100
const TOPIC = 'input'

interface Item { readonly topic: string; readonly partition: number; readonly offset: number; readonly value: { readonly seq: number } }
interface Delivery { readonly key: string; readonly body: string; readonly items: readonly Item[] }

const cleanups: (() => void | Promise<void>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The receiving server: keeps every request; `onRequest` may kill the child before or after the answer. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; onRequest: (hook: ((count: number, answer: () => void) => void) | undefined) => void; changed: () => Promise<void> }> {
  const deliveries: Delivery[] = []
  let hook: ((count: number, answer: () => void) => void) | undefined
  const notify: (() => void)[] = []
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      deliveries.push({ key: String(request.headers['idempotency-key']), body, items: JSON.parse(body) as Item[] })
      const answer = (): void => void response.writeHead(200).end()
      if (hook === undefined) answer()
      else hook(deliveries.length, answer)
      for (const wake of notify.splice(0)) wake()
    })
    request.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    deliveries,
    onRequest: (next) => {
      hook = next
    },
    changed: () => new Promise((resolve) => notify.push(resolve)),
  }
}

function startChild(configFile: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr: () => string } {
  const child = spawn(process.execPath, ['core/cli/tributary.js', 'connect', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  cleanups.push(() => void child.kill('SIGKILL'))
  return { child, exited, stderr: () => stderr }
}

test(`http-sink delivers every record at least once across ${KILLS} kill -9s (seed ${SEED})`, { timeout: 30_000 + KILLS * 4_000 }, async () => {
  const random = seededRandom(SEED)
  const dir = makeScratchDirectory('tributary-http-crash-', 256 * 1024 * 1024)
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  const dataDir = path.join(dir, 'data')
  const log = await openEmbeddedLog({ dir: dataDir })
  await log.createTopic(TOPIC, { partitions: PARTITIONS })
  const producer = log.producer()
  for (let from = 0; from < RECORDS; from += 1000) {
    await producer.send(Array.from({ length: 1000 }, (_, index) => ({ topic: TOPIC, partition: (from + index) % PARTITIONS, key: Buffer.from(`k${from + index}`), value: Buffer.from(JSON.stringify({ seq: from + index })) })))
  }
  await producer.close()
  await log.close()

  const receiver = await startReceiver()
  const configFile = path.join(dir, 'connect.json')
  const sink = { name: 'to-api', connector: 'http-sink', topics: [TOPIC], commitInterval: 1, batchSize: 400, retries: { initialDelay: 10, max: 20 }, config: { url: receiver.url, batchSize: REQUEST_RECORDS, timeout: '5s' } }
  fs.writeFileSync(configFile, JSON.stringify({ log: { data: dataDir }, connectors: [sink] }))

  const received = (): number => new Set(receiver.deliveries.flatMap((delivery) => delivery.items.map((item) => `${item.partition}/${item.offset}`))).size
  const kills: string[] = []
  for (let kill = 0; kill < KILLS; kill++) {
    // A run sends at least the requests that the records never received need: a target within them is reached.
    const surelySent = Math.ceil((RECORDS - received()) / REQUEST_RECORDS)
    if (surelySent === 0) break
    const startedAt = receiver.deliveries.length
    const target = startedAt + Math.min(random.int(1, 25), surelySent)
    const beforeAnswer = random.chance(0.5)
    const run = startChild(configFile)
    receiver.onRequest((count, answer) => {
      if (count < target) return answer()
      if (!beforeAnswer) answer()
      run.child.kill('SIGKILL')
      if (beforeAnswer) answer()
    })
    const { signal } = await run.exited
    expect(signal, `run ${kill} ended by itself: ${run.stderr()}`).toBe('SIGKILL')
    kills.push(`${target - startedAt}${beforeAnswer ? ' before' : ' after'}`)
  }
  receiver.onRequest(undefined)
  const last = startChild(configFile)
  let lastEnded = false
  void last.exited.then(() => (lastEnded = true))
  while (received() < RECORDS && !lastEnded) await Promise.race([receiver.changed(), last.exited])
  expect(lastEnded, `the last run ended before sending everything: ${last.stderr()}`).toBe(false)
  last.child.kill('SIGTERM')
  const exit = await last.exited
  expect(exit.code, last.stderr()).toBe(0)

  // A key always names the same records.
  const bodyOfKey = new Map<string, string>()
  for (const delivery of receiver.deliveries) {
    const seen = bodyOfKey.get(delivery.key)
    expect(seen === undefined || seen === delivery.body, `key ${delivery.key} sent with two bodies`).toBe(true)
    bodyOfKey.set(delivery.key, delivery.body)
  }
  // One copy per key, then per offset: exactly the input.
  const byKey = [...new Map(receiver.deliveries.map((delivery) => [delivery.key, delivery])).values()]
  const perPartition: number[][] = Array.from({ length: PARTITIONS }, () => [])
  for (const delivery of receiver.deliveries) for (const item of delivery.items) perPartition[item.partition]!.push(item.offset)
  const report = checkRecords({ expected: Array(PARTITIONS).fill(RECORDS / PARTITIONS), exactlyOnce: false }, perPartition)
  const unique = new Map<string, number>()
  for (const delivery of byKey) for (const item of delivery.items) unique.set(`${item.partition}/${item.offset}`, item.value.seq)
  const expected = new Map(Array.from({ length: RECORDS }, (_, seq) => [`${seq % PARTITIONS}/${Math.floor(seq / PARTITIONS)}`, seq]))
  const sent = receiver.deliveries.reduce((total, delivery) => total + delivery.items.length, 0)
  reportSuite({ suite: 'kill-9/http-sink', runs: kills.length + 1, faults_injected: kills.length, ...report })
  console.log(JSON.stringify({ seed: SEED, kills, requests: receiver.deliveries.length, distinctKeys: byKey.length, recordsSent: sent, redelivered: sent - RECORDS }))
  expect(report.problems).toEqual([])
  expect(kills).toHaveLength(KILLS)
  expect(unique).toEqual(expected)
})
