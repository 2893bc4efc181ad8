import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KAFKA_BROKERS_ENV } from '../../core/log-from-env.js'
import { openKafkaLog } from '../../core/log/kafka/index.js'
import type { LogRecord } from '../../core/log/types.js'
import { deadLetter } from '../../core/runtime/dead-letter.js'
import { type KafkaCluster, kafkaTestsWanted, startKafka } from '../kafka/broker.js'
import { BROKER_START_TIMEOUT_MS } from '../kafka/test-broker.js'
import { BINARY, type CliRun, REPO_ROOT, runCli, temporaryDirectory } from './helpers.js'

/** Every example app: a folder of examples/ with an index.ts (examples/connector-plugin is a package, not an app). */
const EXAMPLES = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((name) => fs.existsSync(path.join(REPO_ROOT, 'examples', name, 'index.ts')))

/**
 * Runs the `tributary` binary to its end from the repository. With `ownTmpDir`, the process gets a
 * temporary directory of its own as TMPDIR, to see what it leaves there.
 */
function tributary(args: readonly string[], options: { env?: Record<string, string>; ownTmpDir?: boolean } = {}): Promise<CliRun & { tmpDir: string | undefined }> {
  const tmpDir = options.ownTmpDir === true ? temporaryDirectory() : undefined
  const env = { ...process.env, [KAFKA_BROKERS_ENV]: '', ...(tmpDir === undefined ? {} : { TMPDIR: tmpDir }), ...options.env }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), tmpDir }))
  })
}

/** An app file of the test's own, in a temporary directory; it imports Tributary by absolute URL. */
function appFile(source: string): string {
  const file = path.join(temporaryDirectory(), 'app.mts')
  fs.writeFileSync(file, source.replaceAll('TRIBUTARY', pathToFileURL(path.join(REPO_ROOT, 'index.ts')).href))
  return file
}

it('finds the example apps', () => {
  expect(EXAMPLES).toEqual(expect.arrayContaining(['nexmark', 'wordcount']))
})

describe.each(EXAMPLES)('tributary describe examples/%s/index.ts', (name) => {
  const file = `examples/${name}/index.ts`

  it('prints the topology as text without running the app, and leaves nothing in the temporary directory', async () => {
    const run = await tributary(['describe', file], { ownTmpDir: true })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^Sub-topology 0\n {2}Source n\d+: topics \[/)
    expect(run.stdout).toMatch(/Sink: topic /)
    // Only tsx's compile cache stays (tsx-UID).
    expect(fs.readdirSync(run.tmpDir ?? '').filter((entry) => !entry.startsWith('tsx-'))).toEqual([])
  })

  it('prints the topology as a Mermaid flowchart', async () => {
    const run = await tributary(['describe', file, '--format', 'mermaid'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^flowchart LR\n {2}subgraph sub0 \[Sub-topology 0\]\n/)
    expect(run.stdout).toMatch(/ --> /)
  })

  it('writes a standalone HTML page with the graph drawn as inline SVG, nothing fetched', async () => {
    const out = path.join(temporaryDirectory(), 'topology.html')
    const run = await tributary(['describe', file, '--format', 'html', '--out', out])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(`to ${out}`)
    const page = fs.readFileSync(out, 'utf8')
    expect(page).toMatch(/^<!doctype html>/)
    expect(page).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="topology"')
    expect(page).toMatch(/<g class="node topic"/)
    expect(page).toMatch(/<g class="node processor"/)
    expect(page).toMatch(/<path class="edge flow"/)
    expect(page).not.toMatch(/<script|<link|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
  })
})

describe('tributary describe', () => {
  it('names wordcount\'s processors, store and topics, and draws its repartition topic once, between the sub-topologies', async () => {
    const text = await tributary(['describe', 'examples/wordcount/index.ts'])
    expect(text.stdout).toContain('Processor n4: count(word-counts) (from n3)\n    Store: word-counts (key-value, key string, value float64)\n')
    const out = path.join(temporaryDirectory(), 'wordcount.html')
    await tributary(['describe', 'examples/wordcount/index.ts', '--format', 'html', '--out', out])
    const page = fs.readFileSync(out, 'utf8')
    expect(page.match(/<title>wordcount-word-counts-repartition<\/title>/g)).toHaveLength(1)
    expect(page).toContain('<g class="node store" data-id="s_word_counts"><title>word-counts</title>')
  })

  it('describes the app the file\'s own arguments pick (a nexmark query) and names the page after the app', async () => {
    const dir = temporaryDirectory()
    const run = await tributary(['describe', 'examples/nexmark/index.ts', 'q5', '--format', 'html', '--out', path.join(dir, 'q5.html'), '--', '--events', '100'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('wrote the topology of nexmark-q5 to')
    expect(fs.readFileSync(path.join(dir, 'q5.html'), 'utf8')).toContain('<title>Topology of nexmark-q5</title>')
  })

  it('refuses a file that starts no app, a missing file and an unknown format', async () => {
    const noApp = await tributary(['describe', appFile("console.log('no app here')\n")])
    expect(noApp.code).toBe(1)
    expect(noApp.stderr).toMatch(/finished without starting an app.*\(TRIBUTARY_CONFIG\)/)
    const missing = await tributary(['describe', 'examples/none/index.ts'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no app file at examples/none/index.ts')
    const format = await tributary(['describe', 'examples/wordcount/index.ts', '--format', 'svg'])
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('--format must be text, mermaid or html')
  })
})

describe('tributary run', () => {
  it('runs wordcount from its TypeScript source and prints what the app prints', async () => {
    const run = await tributary(['run', 'examples/wordcount/index.ts', '--', '--top', '3'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe('top 3 words:\n    25  the\n    20  to\n    19  that\n')
    expect(run.stderr).toContain('starting app wordcount\n')
  })

  it('serves the app\'s dashboard, metrics and health with --dashboard', async () => {
    const run = await tributary(['run', 'examples/wordcount/index.ts', '--dashboard', '0', '--', '--top', '1'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/wordcount: dashboard at http:\/\/127\.0\.0\.1:\d+\/, metrics at http:\/\/127\.0\.0\.1:\d+\/metrics, health at http:\/\/127\.0\.0\.1:\d+\/health\/ready/)
    const bad = await tributary(['run', 'examples/wordcount/index.ts', '--dashboard', 'eighty'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--dashboard needs a port number (0 to 65535), got "eighty"')
  })

  it('passes --data to the app, so a second run counts on from the first', async () => {
    const data = path.join(temporaryDirectory(), 'wordcount')
    const first = await tributary(['run', 'examples/wordcount/index.ts', '--data', data, '--', '--top', '1'])
    expect(first.stdout).toBe('top 1 words:\n    25  the\n')
    const second = await tributary(['run', 'examples/wordcount/index.ts', '--data', data, '--', '--top', '1'])
    expect(second.stdout).toBe('top 1 words:\n    50  the\n')
  })

  it('runs the nexmark queries the words after the file name', async () => {
    const run = await tributary(['run', 'examples/nexmark/index.ts', 'q1', 'q2', '--', '--events', '500'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^q1: \d+ results from 500 events in [\d.]+ s\n/)
    expect(run.stdout).toMatch(/\nq2: \d+ results from 500 events/)
    expect(run.stderr).toContain('starting app nexmark-q1\nstarting app nexmark-q2\n')
  })

  it('runs an app that keeps running until SIGTERM, then stops it cleanly (its progress committed)', async () => {
    const data = path.join(temporaryDirectory(), 'data')
    const file = appFile(`import { App, embedded, serdes } from 'TRIBUTARY'
const log = embedded({ dir: ${JSON.stringify(data)} })
const opened = await log.open()
if (!(await opened.listTopics()).includes('in')) { await opened.createTopic('in', { partitions: 1 }); await opened.createTopic('out', { partitions: 1 }) }
await opened.producer().send([{ topic: 'in', value: Buffer.from('a') }, { topic: 'in', value: Buffer.from('b') }])
await opened.close()
const app = new App({ id: 'service', log, commitIntervalMs: 50 })
app.stream('in', { value: serdes.string() }).to('out', { value: serdes.string() })
await app.start()
const wait = setInterval(() => { if (app.metrics().recordsIn >= 2) { clearInterval(wait); console.log('processed 2') } }, 10)
`)
    const child = spawn(process.execPath, [BINARY, 'run', file], { cwd: REPO_ROOT, env: { ...process.env, [KAFKA_BROKERS_ENV]: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('processed 2')) resolve()
      }),
    )
    child.kill('SIGTERM')
    expect(await exited, stderr).toBe(0)
    // Stopped cleanly: the data directory is unlocked and the app's group committed both records.
    const check = await tributary(['consume', 'out', '--from-beginning', '--max', '2', '--data', data])
    expect(check.stdout).toBe('a\nb\n')
  })

  it('reports an app file that fails, with its error, as exit 1', async () => {
    const run = await tributary(['run', appFile("throw new Error('the app broke')\n")])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: app file .*app\.mts failed: Error: the app broke\n/)
    expect(run.stderr).toContain('(TRIBUTARY_APP_FILE)')
  })

  it('takes no --format', async () => {
    const run = await tributary(['run', 'examples/wordcount/index.ts', '--format', 'html'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--format and --out belong to describe')
  })
})

describe.runIf(kafkaTestsWanted())('tributary run, describe and dlq on Kafka', () => {
  // A broker of this file's own: wordcount's topics and app id are fixed, so on a shared cluster
  // these runs would add to the counts that the examples' own Kafka test expects.
  let cluster: KafkaCluster | undefined
  beforeAll(async () => {
    cluster = await startKafka({ brokers: 1 })
  }, BROKER_START_TIMEOUT_MS)
  afterAll(async () => {
    await cluster?.stop()
  }, BROKER_START_TIMEOUT_MS)
  const brokers = (): string => cluster?.bootstrap ?? ''

  it('describes and runs wordcount and a nexmark query on a real broker', async () => {
    const described = await tributary(['describe', 'examples/wordcount/index.ts', '--kafka', brokers()])
    expect(described.code, described.stderr).toBe(0)
    expect(described.stdout).toContain('count(word-counts)')
    expect(described.stderr).toContain(`into ${brokers()}`)
    const run = await tributary(['run', 'examples/wordcount/index.ts', '--kafka', brokers(), '--', '--top', '1'])
    expect(run.code, run.stderr).toBe(0)
    // describe loaded the text once already; the example stops once it has counted one copy's worth
    expect(run.stdout).toMatch(/^top 1 words:\n +\d+ {2}the\n$/)
    const nexmark = await tributary(['run', 'examples/nexmark/index.ts', 'q1', '--kafka', brokers(), '--', '--events', '200'])
    expect(nexmark.code, nexmark.stderr).toBe(0)
    expect(nexmark.stdout).toMatch(/^q1: \d+ results from 200 events/)
  })

  it('lists dead letters and replays them to their source topic, once', async () => {
    const log = await openKafkaLog({ brokers: brokers() })
    try {
      await log.createTopic('orders', { partitions: 2 })
      await log.createTopic('orders-dlq', { partitions: 1 })
      const failed = { topic: 'orders', partition: 1, offset: 42, timestamp: Date.now(), key: Buffer.from('order-7'), value: Buffer.from('{"price":-3}'), headers: [] }
      const producer = log.producer()
      await producer.send([deadLetter('orders-dlq', failed, Object.assign(new Error('price must be positive'), { code: 'ORDER_INVALID' }))])
      await producer.close()
      const listed = await runCli(['dlq', 'list', 'orders-dlq', '--kafka', brokers()])
      expect(listed.stdout).toContain('orders-dlq partition 0 offset 0, from orders partition 1 offset 42\n  error: ORDER_INVALID: price must be positive\n')
      const replayed = await runCli(['dlq', 'replay', 'orders-dlq', '--kafka', brokers()])
      expect(replayed.stderr).toMatch(/replayed 1 dead letter from orders-dlq \(1 to orders\)\n$/)
      const again = await runCli(['dlq', 'replay', 'orders-dlq', '--kafka', brokers()])
      expect(again.stderr).toMatch(/replayed 0 dead letters from orders-dlq\n$/)
      const consumer = log.consumer()
      await consumer.assign([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }])
      await consumer.seekToBeginning()
      const records: LogRecord[] = []
      while (records.length < 1) records.push(...(await consumer.poll({ timeoutMs: 1_000 })))
      await consumer.close()
      expect(records.map((record) => record.value?.toString())).toEqual(['{"price":-3}'])
      expect(records[0]?.headers.find((header) => header.key === 'tributary.replayed-from')?.value.toString()).toBe('orders-dlq:0:0')
    } finally {
      await log.close()
    }
  })
})
