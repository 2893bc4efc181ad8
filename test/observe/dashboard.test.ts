import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { App, openEmbeddedLog, type Log } from '../../index.js'
import { wordcount } from '../../examples/wordcount/topology.js'
import { tempDirPerTest, waitUntil } from '../runtime/helpers.js'

/** Debian's chromium (`apt-get install chromium`; .ci/install puts it there). */
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/artifacts')
const haveChromium = fs.existsSync(CHROMIUM)

const newDir = tempDirPerTest('observe-dashboard')
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Writes a batch of lines every 100 ms until stopped: the app has something to show. */
function feedLines(log: Log): () => Promise<void> {
  const producer = log.producer()
  let sent = 0
  let sending: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    sending = sending.then(() => producer.send(Array.from({ length: 100 }, () => ({ topic: 'lines', value: Buffer.from(`the quick brown fox ${sent++ % 97} jumps over the lazy dog`) }))))
  }, 100)
  return async () => {
    clearInterval(timer)
    await sending
  }
}

/** A figure of the page, exact (its data-value). */
async function figure(page: Page, id: string): Promise<number> {
  return Number((await page.getAttribute(`#${id}`, 'data-value')) ?? '0')
}

describe('the dashboard', () => {
  if (!haveChromium) {
    // On CI a missing browser is a failure; on a workstation without one the test says why it does not run.
    const name = `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/install does it)`
    if (process.env.CI === 'true') test(name, () => expect.fail(`${CHROMIUM} is missing`))
    else test.skip(name, () => undefined)
  }

  test.runIf(haveChromium)('shows the topology and a throughput that changes, in a real browser', async () => {
    const log = await openEmbeddedLog({ dir: newDir(), durability: 'none' })
    cleanups.push(() => log.close())
    await log.createTopic('lines', { partitions: 2 })
    await log.createTopic('word-counts', { partitions: 2 })
    const app = new App({ id: 'wordcount', log, handleSignals: false, commitIntervalMs: 200, stateDir: newDir(), observe: { port: 0 } })
    wordcount(app)
    cleanups.push(() => app.stop())
    await app.start()
    const stopFeeding = feedLines(log)
    cleanups.push(stopFeeding)

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    cleanups.push(() => browser.close())
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    const { url } = app.httpAddress()!
    await page.goto(url)

    // The topology: every node of describe()'s picture, with the operators' names.
    const expected = app.describe().graph.nodes
    await page.waitForSelector(`[data-node="${expected[expected.length - 1]!.id}"]`)
    const drawn = await page.$$eval('[data-node]', (nodes) => nodes.map((node) => node.getAttribute('data-node')))
    expect(drawn.sort()).toEqual(expected.map((node) => node.id).sort())
    const labels = await page.$$eval('.node-label', (texts) => texts.map((text) => text.textContent ?? ''))
    expect(labels).toEqual(expect.arrayContaining(['lines', 'word-counts']))
    expect(labels.some((label) => label.startsWith('flatMap → filter'))).toBe(true)

    // Live figures: the state, and a throughput figure that moves as records come.
    await waitUntil(async () => (await page.textContent('#state')) === 'RUNNING', 'the page to show RUNNING')
    await waitUntil(async () => (await figure(page, 'records-in')) > 0, 'records in on the page')
    const first = await figure(page, 'records-in')
    await waitUntil(async () => (await figure(page, 'records-in')) > first, 'the records-in figure to grow')
    await waitUntil(async () => (await figure(page, 'throughput-in')) > 0, 'a throughput above zero')
    const sourceRate = await page.$eval('[data-node="n0"] .node-rate', (node) => node.textContent ?? '')
    expect(sourceRate).toMatch(/\/s/)
    await waitUntil(async () => (await page.$eval('#chart-in', (line) => line.getAttribute('points') ?? '')).split(' ').length >= 3, 'three points on the throughput chart')

    fs.mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true })
    expect(fs.statSync(path.join(ARTIFACTS, 'dashboard.png')).size).toBeGreaterThan(10_000)
    // Offline: the page asked for nothing but itself and its events.
    expect(requests.filter((request) => !request.startsWith(`${url}/`))).toEqual([])
  })
})
