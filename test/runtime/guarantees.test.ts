import { describe, expect, test } from 'vitest'
import { App, embedded, LogError, ManualClock, openEmbeddedLog, serdes, type Log, type LogProvider, type Producer, type ProducerOptions, type Transaction } from '../../index.js'
import { mapAsync, mapValues } from '../../operators/index.js'
import { ManualAsync } from '../operators/helpers.js'
import { committedOffsets, endOffsets, readTopic, tempDirPerTest, waitUntil, withLog } from './helpers.js'

type Processing = 'at_least_once' | 'exactly_once'

/** Creates `in` and `out` with three partitions each and writes `count` records to `in`, values `from`… */
async function writeInputs(log: Log, from: number, count: number): Promise<void> {
  const topics = await log.listTopics()
  for (const topic of ['in', 'out']) if (!topics.includes(topic)) await log.createTopic(topic, { partitions: 3 })
  const records = Array.from({ length: count }, (_, i) => ({ topic: 'in', key: Buffer.from(`k${(from + i) % 17}`), value: Buffer.from(`v${from + i}`) }))
  await log.producer().send(records)
}

/** The upper-casing app of these tests. */
function upperApp(id: string, log: Log | LogProvider, processing: Processing, clock?: ManualClock): App {
  const app = new App({
    id,
    log,
    processing,
    handleSignals: false,
    ...(clock === undefined ? {} : { clock }),
  })
  app
    .stream('in', { key: serdes.string(), value: serdes.string() })
    .pipe(mapValues((value) => value.toUpperCase()))
    .to('out', { key: serdes.string(), value: serdes.string() })
  return app
}

/** A transaction commit held (or failed) by a test: `commit()` waits for `held` when it is set. */
interface CommitGate {
  held: Promise<void> | undefined
  /** Calls of `commit()` so far. */
  commits: number
}

/** `log`, its transactions' commits going through `gate`. */
function gatedCommits(log: Log, gate: CommitGate): Log {
  const gated = (transaction: Transaction): Transaction => ({
    send: (records) => transaction.send(records),
    sendOffsets: (groupId, offsets) => transaction.sendOffsets(groupId, offsets),
    abort: () => transaction.abort(),
    commit: async () => {
      gate.commits++
      await gate.held
      await transaction.commit()
    },
  })
  const producer = (options?: ProducerOptions): Producer => {
    const inner = log.producer(options)
    return { send: (records) => inner.send(records), close: () => inner.close(), beginTransaction: async () => gated(await inner.beginTransaction()) }
  }
  return new Proxy(log, {
    get: (target, property) => {
      if (property === 'producer') return producer
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** A promise and its resolve and reject. */
interface Deferred {
  readonly promise: Promise<void>
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

const values = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `V${from + i}`).sort()

describe.each<Processing>(['at_least_once', 'exactly_once'])('%s on the embedded log', (processing) => {
  const tempDir = tempDirPerTest('guarantees')

  test('copies every input to the output once on a clean run, and commits the ends of the inputs', async () => {
    const dir = tempDir()
    await withLog(dir, (log) => writeInputs(log, 0, 300))
    const app = upperApp('copier', embedded({ dir, durability: 'none' }), processing)
    await app.start()
    await waitUntil(() => app.metrics().recordsIn >= 300, '300 records processed')
    await app.stop()
    expect(app.metrics()).toMatchObject({ recordsIn: 300, recordsOut: 300 })
    await withLog(dir, async (log) => {
      expect((await readTopic(log, 'out')).map((record) => String(record.value)).sort()).toEqual(values(0, 300))
      expect(await committedOffsets(log, 'copier', 'in')).toEqual(await endOffsets(log, 'in'))
    })
  })

  test('a restarted app with the same id processes only what came after a clean stop', async () => {
    const dir = tempDir()
    await withLog(dir, (log) => writeInputs(log, 0, 100))
    const first = upperApp('restarter', embedded({ dir, durability: 'none' }), processing)
    await first.start()
    await waitUntil(() => first.metrics().recordsIn >= 100, 'the first 100 records processed')
    await first.stop()

    await withLog(dir, (log) => writeInputs(log, 100, 40))
    const second = upperApp('restarter', embedded({ dir, durability: 'none' }), processing)
    await second.start()
    await waitUntil(() => second.metrics().recordsIn >= 40, 'the next 40 records processed')
    await second.stop()

    expect(second.metrics().recordsIn).toBe(40)
    await withLog(dir, async (log) => {
      expect((await readTopic(log, 'out')).map((record) => String(record.value)).sort()).toEqual(values(0, 140))
      expect(await committedOffsets(log, 'restarter', 'in')).toEqual(await endOffsets(log, 'in'))
    })
  })

  test('commits no input offset past a record whose async work is unfinished', async () => {
    const dir = tempDir()
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    const clock = new ManualClock(Date.now())
    const lookup = new ManualAsync<string, string>()
    const app = new App({ id: 'async', log, processing, clock, commitIntervalMs: 1_000, handleSignals: false })
    try {
      await log.createTopic('in', { partitions: 1 })
      await log.createTopic('out', { partitions: 1 })
      app
        .stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(mapAsync((value) => lookup.fn(value)))
        .to('out', { key: serdes.string(), value: serdes.string() })
      await log.producer().send(['a', 'b', 'c'].map((key) => ({ topic: 'in', key: Buffer.from(key), value: Buffer.from(`${key}1`) })))
      await app.start()
      await waitUntil(() => lookup.calls.length === 3, 'three lookups started')
      lookup.callFor('b1').resolve('B1')
      lookup.callFor('c1').resolve('C1')

      let commits = app.metrics().commits
      clock.advance(1_000)
      await waitUntil(() => app.metrics().commits > commits, 'a commit')
      // a1 (offset 0) is still in flight: the committed position stays at it, though b1 and c1 are done.
      expect(await committedOffsets(log, 'async', 'in')).toEqual([0])
      expect((await readTopic(log, 'out')).map((record) => String(record.value))).toEqual(['B1', 'C1'])

      lookup.callFor('a1').resolve('A1')
      commits = app.metrics().commits
      clock.advance(1_000)
      await waitUntil(() => app.metrics().commits > commits, 'the next commit')
      expect(await committedOffsets(log, 'async', 'in')).toEqual([3])
      expect((await readTopic(log, 'out')).map((record) => String(record.value))).toEqual(['B1', 'C1', 'A1'])
    } finally {
      for (const call of lookup.calls) call.resolve('late')
      await app.stop()
      await log.close()
    }
  })
})

describe('exactly_once on the embedded log', () => {
  const tempDir = tempDirPerTest('eos')

  test('a read_committed consumer sees the outputs only once the app committed them with the input offsets', async () => {
    const dir = tempDir()
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    const clock = new ManualClock(Date.now())
    const app = upperApp('eos', log, 'exactly_once', clock)
    try {
      await writeInputs(log, 0, 60)
      await app.start()
      // The outputs are in the log, in the app's open transactions: read_uncommitted sees them…
      await waitUntil(async () => (await readTopic(log, 'out', 'read_uncommitted')).length === 60, '60 outputs sent')
      // …read_committed does not, and no input offset is committed.
      expect(await readTopic(log, 'out', 'read_committed')).toEqual([])
      expect(await committedOffsets(log, 'eos', 'in')).toEqual([undefined, undefined, undefined])

      clock.advance(100) // the exactly_once default commit interval
      await waitUntil(() => app.metrics().commits > 0, 'the first commit')
      expect((await readTopic(log, 'out', 'read_committed')).map((record) => String(record.value)).sort()).toEqual(values(0, 60))
      expect(await committedOffsets(log, 'eos', 'in')).toEqual(await endOffsets(log, 'in'))
    } finally {
      await app.stop()
      await log.close()
    }
  })

  /**
   * Runs the upper-casing exactly_once app on a new log whose transaction commits wait for `held`:
   * 30 inputs are processed, a commit starts and is held, 30 more inputs are written; then `check`
   * runs while the commit is still held. `held` is resolved at the end, whatever happened.
   */
  async function whileCommitHeld(id: string, held: Deferred, check: (run: { log: Log; clock: ManualClock; app: App }) => Promise<void>): Promise<void> {
    const log = await openEmbeddedLog({ dir: tempDir(), durability: 'none' })
    const gate: CommitGate = { held: undefined, commits: 0 }
    const clock = new ManualClock(Date.now())
    const app = upperApp(id, gatedCommits(log, gate), 'exactly_once', clock)
    try {
      await writeInputs(log, 0, 30)
      await app.start()
      await waitUntil(() => app.metrics().recordsIn === 30, '30 inputs processed')
      gate.held = held.promise
      clock.advance(100)
      await waitUntil(() => gate.commits > 0, 'a transaction committing')
      gate.held = undefined
      await writeInputs(log, 30, 30)
      await check({ log, clock, app })
    } finally {
      held.resolve()
      await app.stop()
      await log.close()
    }
  }

  test('processing goes on while a commit is under way; what it processed meanwhile goes into the next transaction', async () => {
    const release = deferred()
    await whileCommitHeld('eos-held', release, async ({ log, clock, app }) => {
      // The commit waits; the app takes in and processes more meanwhile (it used to wait too)…
      await waitUntil(() => app.metrics().recordsIn === 60, '30 more inputs processed while the commit waits')
      // …but holds their outputs back for the next transaction.
      expect((await readTopic(log, 'out', 'read_uncommitted')).length).toBe(30)
      expect(await readTopic(log, 'out', 'read_committed')).toEqual([])

      const commits = app.metrics().commits
      release.resolve()
      await waitUntil(() => app.metrics().commits > commits, 'the held commit done')
      expect((await readTopic(log, 'out', 'read_committed')).map((record) => String(record.value)).sort()).toEqual(values(0, 30))
      const firstEnds = await committedOffsets(log, 'eos-held', 'in')
      expect(firstEnds.reduce((sum, offset) => sum! + (offset ?? 0), 0)).toBe(30)

      clock.advance(100)
      await waitUntil(async () => (await readTopic(log, 'out', 'read_committed')).length === 60, 'the next commit')
      expect((await readTopic(log, 'out', 'read_committed')).map((record) => String(record.value)).sort()).toEqual(values(0, 60))
      expect(await committedOffsets(log, 'eos-held', 'in')).toEqual(await endOffsets(log, 'in'))
    })
  })

  test('a commit that fails while processing goes on loses and duplicates nothing: the tasks start again from the last commit', async () => {
    const failing = deferred()
    failing.promise.catch(() => undefined)
    await whileCommitHeld('eos-failed', failing, async ({ log, clock, app }) => {
      await waitUntil(() => app.metrics().recordsIn === 60, '30 more inputs processed while the commit waits')
      failing.reject(new LogError('TRIBUTARY_TEST', 'the coordinator went away', { retriable: true }))
      // The tasks restart from the last commit (none): all 60 are processed again and committed once.
      await waitUntil(async () => {
        clock.advance(100)
        return (await readTopic(log, 'out', 'read_committed')).length >= 60
      }, 'every output committed after the restart')
      expect((await readTopic(log, 'out', 'read_committed')).map((record) => String(record.value)).sort()).toEqual(values(0, 60))
      expect(await committedOffsets(log, 'eos-failed', 'in')).toEqual(await endOffsets(log, 'in'))
      expect(app.state).not.toBe('ERROR')
    })
  })
})
