import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { App, embedded, serdes } from '../../index.js'
import { committedOffsets, endOffsets, readTopic, tempDirPerTest, waitUntil, withLog } from './helpers.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPO_ROOT = path.resolve(HERE, '../..')
const APP_ID = 'signalled' // signal-child.ts's

type Processing = 'at_least_once' | 'exactly_once'

/** Writes `count` records to `in` (values `v<from>`…), creating `in` and `out` first. */
function writeInputs(dir: string, from: number, count: number): Promise<void> {
  return withLog(dir, async (log) => {
    const topics = await log.listTopics()
    for (const topic of ['in', 'out']) if (!topics.includes(topic)) await log.createTopic(topic, { partitions: 2 })
    await log.producer().send(Array.from({ length: count }, (_, i) => ({ topic: 'in', key: Buffer.from(`k${from + i}`), value: Buffer.from(`v${from + i}`) })))
  })
}

/** What the log holds after a run: the group's committed offsets on `in`, the ends of `in`, the values in `out`. */
function progress(dir: string) {
  return withLog(dir, async (log) => ({
    committed: await committedOffsets(log, APP_ID, 'in'),
    ends: await endOffsets(log, 'in'),
    out: (await readTopic(log, 'out')).map((record) => String(record.value)).sort(),
  }))
}

/**
 * Runs signal-child.ts and sends it `signal` once it reported `count` records processed (and,
 * with `whenIdle`, its log waiting for more, more than once). The child must still be running then.
 * Returns how it exited and what it wrote to stderr.
 */
async function runUntilSignalled(dir: string, processing: Processing, signal: NodeJS.Signals, count: number, options: { maxPollRecords: number; whenIdle: boolean }) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'signal-child.ts'), dir, processing, String(options.maxPollRecords)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  let ended = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, by) => {
      ended = true
      resolve({ code, signal: by })
    }),
  )
  try {
    const reported = (): boolean => {
      const at = stdout.indexOf(`processed ${count}\n`)
      // Idle: its log waited for records, then waited again after that wait timed out. Its
      // timers do not hold the process open; only the running app does.
      return at >= 0 && (!options.whenIdle || stdout.slice(at).split('waiting\n').length > 3)
    }
    await waitUntil(() => ended || reported(), `the child to report ${count} records processed${options.whenIdle ? ', then wait for more' : ''}`)
    if (ended) throw new Error(`the child ended before it was signalled: ${JSON.stringify(await exited)}\n${stderr}`)
    child.kill(signal)
    return { ...(await exited), stderr }
  } finally {
    if (!ended) child.kill('SIGKILL')
  }
}

/** Runs the app in this process with the child's id until it processed `count` records; returns how many it processed. */
async function restart(dir: string, processing: Processing, count: number): Promise<number> {
  const app = new App({ id: APP_ID, log: embedded({ dir, durability: 'none' }), processing, handleSignals: false })
  app.stream('in', { key: serdes.string(), value: serdes.string() }).to('out', { key: serdes.string(), value: serdes.string() })
  await app.start()
  try {
    await waitUntil(() => app.metrics().recordsIn >= count, `${count} records processed after the restart`)
  } finally {
    await app.stop()
  }
  return app.metrics().recordsIn
}

const values = (count: number): string[] => Array.from({ length: count }, (_, i) => `v${i}`).sort()
const sum = (offsets: readonly (number | undefined)[]): number => offsets.reduce<number>((total, offset) => total + (offset ?? 0), 0)

describe.each<[NodeJS.Signals, Processing]>([
  ['SIGTERM', 'at_least_once'],
  ['SIGINT', 'at_least_once'],
  ['SIGTERM', 'exactly_once'],
  ['SIGINT', 'exactly_once'],
])('graceful shutdown on %s (%s)', (signal, processing) => {
  const tempDir = tempDirPerTest('signal')

  test('an idle app stays up until signalled, then commits what it processed and exits 0', async () => {
    const dir = tempDir()
    await writeInputs(dir, 0, 50)
    const exit = await runUntilSignalled(dir, processing, signal, 50, { maxPollRecords: 1_000, whenIdle: true })
    expect(exit, exit.stderr).toMatchObject({ code: 0, signal: null })
    expect(exit.stderr).toContain(`stopping ${APP_ID}: finishing the records in hand and committing`)

    // Its commit interval (10 minutes) never came: the graceful stop committed.
    const afterStop = await progress(dir)
    expect(afterStop.committed).toEqual(afterStop.ends)
    expect(afterStop.out).toEqual(values(50))

    await writeInputs(dir, 50, 10)
    expect(await restart(dir, processing, 10)).toBe(10)
    expect((await progress(dir)).out).toEqual(values(60))
  })

  test('stopped mid-stream, it commits exactly what it wrote; a restart processes only the rest', async () => {
    const dir = tempDir()
    const total = 3_000
    await writeInputs(dir, 0, total)
    // Polls of 5 records, so that records are likely still waiting when the signal comes.
    const exit = await runUntilSignalled(dir, processing, signal, 20, { maxPollRecords: 5, whenIdle: false })
    expect(exit, exit.stderr).toMatchObject({ code: 0, signal: null })

    const afterStop = await progress(dir)
    const processed = sum(afterStop.committed)
    expect(processed).toBeGreaterThanOrEqual(20)
    expect(afterStop.out).toHaveLength(processed) // every committed input's output, and no output of an uncommitted one

    if (processed < total) expect(await restart(dir, processing, total - processed)).toBe(total - processed)
    expect((await progress(dir)).out).toEqual(values(total))
  })
})
