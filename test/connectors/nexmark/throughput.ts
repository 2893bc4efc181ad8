/**
 * How fast the Nexmark generator makes events, and how fast `loadNexmark` appends them to the
 * embedded log. Not part of the test run: `npx tsx test/connectors/nexmark/throughput.ts [events]`.
 * Prints one JSON line per measure.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { loadNexmark, NexmarkGenerator } from '../../../connectors/nexmark/index.js'

const events = Number(process.argv[2] ?? 10_000_000)

function generateAll(): void {
  const generator = new NexmarkGenerator({ seed: 1, maxEvents: events })
  const started = performance.now()
  let bids = 0
  for (let event = generator.nextEvent(); event !== undefined; event = generator.nextEvent()) {
    if (event.type === 'bid') bids++
  }
  const seconds = (performance.now() - started) / 1000
  console.log(JSON.stringify({ measure: 'nexmark-generate', events, bids, seconds: round(seconds), eventsPerSecond: Math.round(events / seconds) }))
}

async function loadSome(): Promise<void> {
  const loaded = Math.min(events, 1_000_000)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-nexmark-'))
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  try {
    const started = performance.now()
    await loadNexmark(log, { seed: 1, events: loaded })
    const seconds = (performance.now() - started) / 1000
    console.log(JSON.stringify({ measure: 'nexmark-load-embedded', events: loaded, seconds: round(seconds), eventsPerSecond: Math.round(loaded / seconds) }))
  } finally {
    await log.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const round = (value: number): number => Math.round(value * 100) / 100

generateAll()
await loadSome()
