import { afterEach, describe, expect, test } from 'vitest'
import { App, named, openEmbeddedLog, serdes, type Log } from '../../index.js'
import { flatMap, mapAsync } from '../../operators/index.js'
import { tempDirPerTest, waitUntil } from '../runtime/helpers.js'
import { parsePrometheus, samplesOf, sumOf, type PromSample } from './prometheus-text.js'

const newDir = tempDirPerTest('observe-metrics')
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A gate the app's records wait at until the test opens it. */
function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { wait: () => opened, open }
}

async function openLog(): Promise<Log> {
  const log = await openEmbeddedLog({ dir: newDir(), durability: 'none' })
  cleanups.push(() => log.close())
  await log.createTopic('lines', { partitions: 2 })
  await log.createTopic('word-counts', { partitions: 2 })
  return log
}

async function writeLines(log: Log, from: number, count: number): Promise<void> {
  // Three words a line: "w<i mod 50> common line".
  await log.producer().send(Array.from({ length: count }, (_, i) => ({ topic: 'lines', key: Buffer.from(`k${from + i}`), value: Buffer.from(`w${(from + i) % 50} common line`) })))
}

/** A word count whose lines wait at `held` first. */
function wordCountApp(log: Log, held: Promise<void>): App {
  const app = new App({ id: 'observed', log, handleSignals: false, commitIntervalMs: 100, maxInFlight: 10, stateDir: newDir(), observe: { port: 0 } })
  app
    .stream('lines', { value: serdes.string() })
    .pipe(
      mapAsync(async (line: string) => {
        await held
        return line
      }),
      flatMap((line) => line.split(' ')),
    )
    .groupBy((word) => word, { key: serdes.string(), value: serdes.string() })
    .count(named('counts'))
    .toStream()
    .to('word-counts', { key: serdes.string(), value: serdes.float64() })
  cleanups.push(() => app.stop())
  return app
}

async function scrape(app: App): Promise<PromSample[]> {
  const response = await fetch(`${app.httpAddress()!.url}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('text/plain')
  return parsePrometheus(await response.text())
}

describe('the metrics endpoint', () => {
  test('counts what the app processed, and its lag falls to zero when the input stops', async () => {
    const log = await openLog()
    await writeLines(log, 0, 1_000)
    const held = gate()
    const app = wordCountApp(log, held.wait())
    cleanups.push(async () => held.open())
    await app.start()

    // Held at the gate, the app lags behind its input on both partitions.
    let samples: PromSample[] = []
    await waitUntil(async () => {
      samples = await scrape(app)
      const lines = samplesOf(samples, 'tributary_consumer_lag').filter((sample) => sample.labels.topic === 'lines')
      return lines.length === 2 && lines.every((sample) => sample.value > 400)
    }, 'lag on both partitions while the records wait')
    expect(samplesOf(samples, 'tributary_consumer_lag').map((sample) => sample.labels)).toEqual(
      expect.arrayContaining([expect.objectContaining({ app: 'observed', topic: 'lines', partition: '0' }), expect.objectContaining({ app: 'observed', topic: 'lines', partition: '1' })]),
    )

    held.open()
    await waitUntil(async () => {
      samples = await scrape(app)
      // Records in: the lines, then their words again from the repartition topic.
      return sumOf(samples, 'tributary_records_in_total') === 1_000 + 3_000 && sumOf(samples, 'tributary_consumer_lag') === 0 && sumOf(samples, 'tributary_commits_total') > 0
    }, 'the first 1,000 lines processed and lag 0')

    // More input, then none: the app catches up again.
    await writeLines(log, 1_000, 500)
    await waitUntil(async () => {
      samples = await scrape(app)
      return sumOf(samples, 'tributary_records_in_total', { app: 'observed' }) === 1_500 + 4_500 && sumOf(samples, 'tributary_consumer_lag') === 0
    }, 'the next 500 lines processed and lag 0 on every partition')

    // Per operator: the source node took every line, the flatMap node made three words of each.
    const operatorOut = (name: string): number => sumOf(samples.filter((sample) => sample.labels.name === name), 'tributary_operator_records_out_total')
    expect(operatorOut('lines')).toBe(1_500)
    expect(sumOf(samples.filter((sample) => sample.labels.name?.startsWith('mapAsync') === true), 'tributary_operator_records_in_total')).toBe(1_500)
    expect(operatorOut(samples.find((sample) => sample.labels.name?.startsWith('mapAsync') === true)!.labels.name!)).toBe(4_500)
    // The count's sub-topology (fed through the repartition topic) took every word.
    expect(sumOf(samples, 'tributary_task_records_in_total', { task: '1_0' }) + sumOf(samples, 'tributary_task_records_in_total', { task: '1_1' })).toBe(4_500)
    for (const partition of ['0', '1']) expect(sumOf(samples, 'tributary_consumer_lag', { topic: 'lines', partition })).toBe(0)
    expect(sumOf(samples, 'tributary_app_state', { state: 'RUNNING' })).toBe(1)
    expect(samplesOf(samples, 'tributary_process_latency_seconds').map((sample) => sample.labels.quantile).sort()).toEqual(['0.5', '0.99'])
    expect(sumOf(samples, 'tributary_store_keys')).toBeGreaterThanOrEqual(52)
    expect(sumOf(samples, 'tributary_store_disk_bytes')).toBeGreaterThan(0)

    // In-process, the same picture.
    const metrics = await app.measuredMetrics()
    expect(metrics.state).toBe('RUNNING')
    expect(metrics.recordsIn).toBe(1_500 + 4_500)
    expect(metrics.tasks.map((task) => task.task).sort()).toEqual(['0_0', '0_1', '1_0', '1_1'])
    expect(metrics.lag.every((lag) => lag.lag === 0)).toBe(true)
    expect(metrics.commitLatency.count).toBeGreaterThan(0)
  })

  test('serves liveness and readiness with the app state', async () => {
    const log = await openLog()
    const app = wordCountApp(log, Promise.resolve())
    await app.start()
    await waitUntil(() => app.state === 'RUNNING', 'the app to run (its stores restored)')
    const { url } = app.httpAddress()!
    const live = await fetch(`${url}/health/live`)
    const ready = await fetch(`${url}/health/ready`)
    expect([live.status, await live.json()]).toEqual([200, { app: 'observed', state: 'RUNNING' }])
    expect([ready.status, await ready.json()]).toEqual([200, { app: 'observed', state: 'RUNNING' }])
    expect((await fetch(`${url}/nowhere`)).status).toBe(404)
  })

  test('reports ERROR, not alive and not ready, once a failure stopped the app', async () => {
    const log = await openLog()
    await writeLines(log, 0, 1)
    const app = new App({ id: 'failing', log, handleSignals: false, stateDir: newDir(), observe: { port: 0, dashboard: false } })
    app.stream('lines', { value: serdes.string() }).pipe(flatMap((): string[] => { throw new Error('bad line') })).to('word-counts', { value: serdes.string() })
    cleanups.push(() => app.stop())
    await app.start()
    const { url } = app.httpAddress()!
    await waitUntil(async () => (await fetch(`${url}/health/live`)).status === 503, 'liveness to fail')
    const ready = await fetch(`${url}/health/ready`)
    expect([ready.status, await ready.json()]).toEqual([503, { app: 'failing', state: 'ERROR' }])
    expect(app.state).toBe('ERROR')
    // Without the dashboard, `/` is not served.
    expect((await fetch(`${url}/`)).status).toBe(404)
  })
})
