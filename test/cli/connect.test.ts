import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import { REPO_ROOT, runBinary, startBinary, temporaryDirectory } from './helpers.js'

const api = path.join(REPO_ROOT, 'connectors/index.ts')

/** A plugin counting up from its stored offset, one record per poll: a third party's connector as a file. */
const counterPlugin = `import { defineSource, field } from '${api}'
export default defineSource({
  name: 'ticker',
  config: { max: field.integer({ min: 0 }), password: field.secret({ optional: true }) },
  start(config, context) {
    let next = Number(context.offset({ ticker: 'main' })?.next ?? 0)
    return {
      async poll() {
        if (next >= config.max) { await new Promise((resolve) => setTimeout(resolve, 20)); return { records: [] } }
        next++
        return { records: [{ value: { n: next - 1 } }], offsets: [{ partition: { ticker: 'main' }, offset: { next } }] }
      },
    }
  },
})
`

function writeConfig(dir: string, max: number, extra: Record<string, unknown> = {}): string {
  fs.writeFileSync(path.join(dir, 'ticker.ts'), counterPlugin)
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  const file = path.join(dir, 'connect.json')
  fs.writeFileSync(file, JSON.stringify({ log: { data: './data' }, connectors: [{ name: 'ticks', connector: './ticker.ts', topic: 'ticks', config: { max, ...extra }, commitInterval: 10 }] }))
  return file
}

async function countRecords(dataDir: string, topic: string): Promise<number> {
  if (!fs.existsSync(path.join(dataDir, topic + '-0'))) return 0
  const log = await openEmbeddedLog({ dir: dataDir, readOnly: true })
  try {
    return (await log.describeTopic(topic)).partitions[0]!.endOffset
  } catch {
    return 0
  } finally {
    await log.close()
  }
}

describe('tributary connect', { timeout: 120_000 }, () => {
  it('runs the connectors of a config file until SIGTERM, then stops cleanly; a second run resumes', async () => {
    const dir = temporaryDirectory()
    const config = writeConfig(dir, 30)
    const first = startBinary(['connect', config])
    while ((await countRecords(path.join(dir, 'data'), 'ticks')) < 30) await new Promise((resolve) => setTimeout(resolve, 50))
    first.child.kill('SIGTERM')
    const exited = await first.exited
    expect(exited.code).toBe(0)
    expect(exited.stderr).toContain('running 1 connector on the embedded log in')
    expect(exited.stderr).toContain('connector ticks: stopped')

    writeConfig(dir, 45)
    const second = startBinary(['connect', config])
    while ((await countRecords(path.join(dir, 'data'), 'ticks')) < 45) await new Promise((resolve) => setTimeout(resolve, 50))
    second.child.kill('SIGTERM')
    expect((await second.exited).code).toBe(0)
    expect(await countRecords(path.join(dir, 'data'), 'ticks')).toBe(45)
  })

  it('checks a config with --describe, showing secrets only by where they come from', async () => {
    const dir = temporaryDirectory()
    const config = writeConfig(dir, 5, { password: { env: 'TICKER_PASSWORD' } })
    process.env.TICKER_PASSWORD = 'hunter2-hunter2'
    try {
      const described = await runBinary(['connect', config, '--describe'])
      expect(described.code).toBe(0)
      expect(JSON.parse(described.stdout)).toEqual({ name: 'ticks', connector: 'ticker', kind: 'source', topic: 'ticks', config: { max: 5, password: '[secret from env:TICKER_PASSWORD]' } })
      expect(described.stdout + described.stderr).not.toContain('hunter2')
    } finally {
      delete process.env.TICKER_PASSWORD
    }
  })

  it('shows the progress of a sink working through a backlog, as plain lines when stderr is no terminal', async () => {
    const dir = temporaryDirectory()
    const log = await openEmbeddedLog({ dir: path.join(dir, 'data') })
    await log.createTopic('backlog', { partitions: 2 })
    const producer = log.producer()
    for (let i = 0; i < 30_000; i += 5_000) await producer.send(Array.from({ length: 5_000 }, (_, n) => ({ topic: 'backlog', value: Buffer.from(JSON.stringify({ n: i + n })) })))
    await log.close()
    // A deliberately slow target, so the backfill lasts long enough to be watched.
    fs.writeFileSync(path.join(dir, 'slow.ts'), `import { defineSink } from '${api}'
export default defineSink({ name: 'slow', config: {}, start: () => ({
  async put() { await new Promise((resolve) => setTimeout(resolve, 15)) },
  async flush() {},
}) })
`)
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
    const config = path.join(dir, 'connect.json')
    fs.writeFileSync(config, JSON.stringify({ log: { data: './data' }, connectors: [{ name: 'backfill', connector: './slow.ts', topics: ['backlog'], batchSize: 500, commitInterval: 50 }] }))
    const running = startBinary(['connect', config])
    const deadline = Date.now() + 60_000
    while (!/catching up connector backfill: .* done in/.test(running.stderr.text()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    running.child.kill('SIGTERM')
    const exited = await running.exited
    expect(exited.code).toBe(0)
    // The bar's total is the backlog when the watch first saw it (the sink had begun by then); it ends complete.
    expect(exited.stderr).toMatch(/catching up connector backfill: ([\d,]+)\/\1 done in \d+s, [\d,]+\/s\n/)
  })

  it('exits 1 naming the field of a bad config', async () => {
    const dir = temporaryDirectory()
    const config = writeConfig(dir, -1)
    const run = await runBinary(['connect', config])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('error: connectors.ticks.config.max: must be an integer ≥ 0, got -1 (TRIBUTARY_CONFIG)\n')
  })
})
