/**
 * The file source survives kill -9: a child runs it over a file of numbered JSON lines (more are
 * appended while it runs and between runs) and is killed at 10 seeded-random moments, each
 * once it has polled a chosen number of records, then restarted. At the end every line is in
 * the topic, and under exactly_once none twice. `TRIBUTARY_CRASH_SEED` replays a failing run.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { LineChild } from '../../crash/child-process.js'
import { seededRandom, seedFromEnv } from '../../crash/seeded-random.js'
import { reportSuite } from '../../chaos/report.js'
import { readTopic } from '../../runtime/helpers.js'

class FileSourceChild extends LineChild {
  polled = 0
  idle = false
  constructor(input: string, logDir: string, processing: string) {
    super('../connectors/file/file-crash-child.ts', [input, logDir, processing])
  }
  protected onLine(line: string): void {
    const polled = /^polled (\d+)$/.exec(line)
    if (polled !== null) this.polled = Number(polled[1])
    if (line === 'idle') this.idle = true
  }
}

const initialLines = 30_000
const linesPerAppend = 2_000
const kills = 10

let dir: string
const children: FileSourceChild[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-crash-'))
})

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill()
    await child.exited
  }
  await rm(dir, { recursive: true, force: true })
})

const numbered = (from: number, count: number): string => Array.from({ length: count }, (_, index) => `{"line":${from + index},"text":"line ${from + index} of the input"}\n`).join('')

async function runChild(input: string, logDir: string, processing: string): Promise<FileSourceChild> {
  const child = new FileSourceChild(input, logDir, processing)
  children.push(child)
  return child
}

describe.each([
  { processing: 'exactly_once', kills },
  { processing: 'at_least_once', kills: 4 },
])('file-source killed with SIGKILL ($processing)', ({ processing, kills }) => {
  test(`loses no line${processing === 'exactly_once' ? ' and duplicates none' : ''} over ${kills} kills`, { timeout: 90_000 }, async () => {
    const random = seededRandom(seedFromEnv('TRIBUTARY_CRASH_SEED', 8))
    const input = join(dir, 'input.jsonl')
    const logDir = join(dir, 'log')
    await writeFile(input, numbered(0, initialLines))
    let written = initialLines
    for (let kill = 0; kill < kills; kill++) {
      const child = await runChild(input, logDir, processing)
      const appendAt = random.int(1, 3_000)
      const killAt = appendAt + random.int(1, 5_000)
      expect(await child.waitUntil(() => child.polled >= appendAt || child.idle), `run ${kill}: polled ${appendAt}\n${child.stderr}`).toBe(true)
      await appendFile(input, numbered(written, linesPerAppend))
      written += linesPerAppend
      expect(await child.waitUntil(() => child.polled >= killAt || child.idle), `run ${kill}: polled ${killAt}\n${child.stderr}`).toBe(true)
      child.kill()
      await child.exited
    }
    const last = await runChild(input, logDir, processing)
    expect(await last.waitUntil(() => last.idle), `final run read to the end\n${last.stderr}`).toBe(true)
    last.signal('SIGTERM')
    expect((await last.exited).code, last.stderr).toBe(0)

    const log = await openEmbeddedLog({ dir: logDir })
    try {
      const seen = new Map<number, number>()
      let outOfOrder = 0
      for (const record of await readTopic(log, 'lines')) {
        const line = (JSON.parse(record.value?.toString() ?? 'null') as { line: number }).line
        if (!seen.has(line) && line !== seen.size) outOfOrder++ // a first sight must be the next line
        seen.set(line, (seen.get(line) ?? 0) + 1)
      }
      const missing = Array.from({ length: written }, (_, line) => line).filter((line) => !seen.has(line))
      const duplicated = processing === 'exactly_once' ? [...seen].filter(([, count]) => count > 1) : []
      reportSuite({ suite: `kill-9/file-source-${processing}`, runs: kills + 1, faults_injected: kills, lost: missing.length, duplicated: duplicated.length, aborted_read: 0, out_of_order: outOfOrder, state_mismatch: 0 })
      expect(missing.slice(0, 10), `${missing.length} of ${written} lines missing (seed ${random.seed})`).toEqual([])
      expect(seen.size).toBe(written)
      expect(outOfOrder, 'lines seen first out of file order').toBe(0)
      expect(duplicated.slice(0, 10), `${duplicated.length} lines written twice (seed ${random.seed})`).toEqual([])
    } finally {
      await log.close()
    }
  })
})
