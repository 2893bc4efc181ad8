import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { App, IncompatibleStateError, named, rocksdbStores, serdes, StateDirectoryLockedError, type Log } from '../../index.js'
import { readTopic, tempDirPerTest, waitUntil, withLog } from '../runtime/helpers.js'

type Processing = 'at_least_once' | 'exactly_once'

const WORDS = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date']

async function writeWords(log: Log, from: number, count: number): Promise<void> {
  if (!(await log.listTopics()).includes('words')) await log.createTopic('words', { partitions: 2 })
  const records = Array.from({ length: count }, (_, i) => {
    const word = WORDS[(from + i) % WORDS.length]!
    return { topic: 'words', key: Buffer.from(word), value: Buffer.from(word) }
  })
  await log.producer().send(records)
}

/** What counting `count` words from the start gives. */
function model(count: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < count; i++) counts.set(WORDS[i % WORDS.length]!, (counts.get(WORDS[i % WORDS.length]!) ?? 0) + 1)
  return counts
}

function countApp(log: Log, stateDir: string, processing: Processing, valueSerde: 'float64' | 'json' = 'float64'): App {
  const app = new App({ id: 'counter', log, processing, stateDir, stores: rocksdbStores(), handleSignals: false, commitIntervalMs: 50 })
  const words = app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() })
  if (valueSerde === 'float64') words.count(named('counts'))
  else words.aggregate(() => 0, (_word, _value, n) => n + 1, { name: 'counts', key: serdes.string(), value: serdes.json<number>() })
  return app
}

async function storeContents(app: App): Promise<Map<string, number>> {
  const contents = new Map<string, number>()
  for await (const { key, value } of app.store<string, number>('counts').all()) contents.set(key, value)
  return contents
}

async function runUntilCounted(app: App, total: number): Promise<void> {
  await app.start()
  await waitUntil(async () => [...(await storeContents(app)).values()].reduce((a, b) => a + b, 0) >= total, `${total} words counted`)
}

describe.each<Processing>(['at_least_once', 'exactly_once'])('stores on RocksDB under %s', (processing) => {
  const tempDir = tempDirPerTest('restore')

  test('state survives a restart, and deleting the local state directory restores the same state from the changelog', async () => {
    const dir = tempDir()
    const stateDir = tempDir()
    await withLog(dir, async (log) => {
      await writeWords(log, 0, 700)
      const first = countApp(log, stateDir, processing)
      await runUntilCounted(first, 700)
      await first.stop()
      // A clean stop leaves checkpoints: the next start replays nothing it already has.
      const shards = fs.readdirSync(path.join(stateDir, 'counter')).filter((entry) => entry.startsWith('counts-'))
      expect(shards.sort()).toEqual(['counts-0', 'counts-1'])
      for (const shard of shards) expect(fs.existsSync(path.join(stateDir, 'counter', shard, '.checkpoint'))).toBe(true)

      await writeWords(log, 700, 70)
      const second = countApp(log, stateDir, processing)
      await runUntilCounted(second, 770)
      expect(await storeContents(second)).toEqual(model(770))
      await second.stop()

      fs.rmSync(path.join(stateDir, 'counter'), { recursive: true, force: true })
      const third = countApp(log, stateDir, processing)
      await third.start()
      // Its input offsets are committed: the counts can only come back from the changelog.
      await waitUntil(async () => (await storeContents(third)).size === WORDS.length, 'the store restored')
      expect(await storeContents(third)).toEqual(model(770))
      await third.stop()
      // The changelog is compacted: it is the store's durable copy.
      expect((await log.describeTopic('counter-counts-changelog')).config.cleanup).toBe('compact')
      expect((await readTopic(log, 'counter-counts-changelog')).length).toBeGreaterThan(0)
    })
  })

  test('a task that moves to another instance and back is counted exactly, and the instance it came back to goes on', async () => {
    await withLog(tempDir(), async (log) => {
      await writeWords(log, 0, 700)
      const first = countApp(log, tempDir(), processing)
      let failed: unknown
      first.done.catch((error: unknown) => (failed = error))
      await runUntilCounted(first, 700)
      // A second instance takes one of the two partitions (and its task's producer fences the first's).
      const second = countApp(log, tempDir(), processing)
      await second.start()
      await writeWords(log, 700, 700)
      const both = async (): Promise<Map<string, number>> => {
        const total = new Map(await storeContents(first))
        for (const [word, n] of await storeContents(second)) total.set(word, n)
        return total
      }
      // A scan that meets a shard closed by a rebalance fails, as Kafka Streams' queries do: ask again.
      const counted = (contents: () => Promise<Map<string, number>>, total: number) => async (): Promise<boolean> =>
        [...(await contents().catch(() => new Map<string, number>())).values()].reduce((a, b) => a + b, 0) === total
      await waitUntil(counted(both, 1_400), '1,400 words counted by the two')
      expect(await both()).toEqual(model(1_400))
      // The second leaves: its task comes back to the first, which must not reuse its fenced producer.
      await second.stop()
      await writeWords(log, 1_400, 700)
      await waitUntil(counted(() => storeContents(first), 2_100), '2,100 words counted')
      expect(await storeContents(first)).toEqual(model(2_100))
      await first.stop()
      expect(failed).toBeUndefined()
    })
  })

  test('a second instance on the same state directory is refused clearly', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      await writeWords(log, 0, 10)
      const first = countApp(log, stateDir, processing)
      await first.start()
      try {
        await withLog(tempDir(), async (other) => {
          await writeWords(other, 0, 10)
          const error = await countApp(other, stateDir, processing).start().catch((caught: unknown) => caught)
          expect(error).toBeInstanceOf(StateDirectoryLockedError)
          expect((error as Error).message).toContain(path.join(stateDir, 'counter'))
          expect((error as Error).message).toContain(String(process.pid))
        })
      } finally {
        await first.stop()
      }
    })
  })
})

describe('start failures', () => {
  const tempDir = tempDirPerTest('start-failure')

  test('a start that fails (a source topic is missing) unlocks the state directory, so a retry can start', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      const error = await countApp(log, stateDir, 'at_least_once').start().catch((caught: unknown) => caught)
      expect((error as Error).message).toContain('source topics missing: words')
      await writeWords(log, 0, 7)
      const retry = countApp(log, stateDir, 'at_least_once')
      await runUntilCounted(retry, 7)
      await retry.stop()
    })
  })
})

describe('topology changes', () => {
  const tempDir = tempDirPerTest('topology')

  test('a store whose serdes changed is refused with a message naming the change; resetState drops that state', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      await writeWords(log, 0, 70)
      const first = countApp(log, stateDir, 'at_least_once')
      await runUntilCounted(first, 70)
      await first.stop()
      const error = await countApp(log, stateDir, 'at_least_once', 'json').start().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(IncompatibleStateError)
      expect((error as Error).message).toContain('store counts changed (value serde float64 → json)')

      const reset = new App({ id: 'counter', log, stateDir, stores: rocksdbStores(), handleSignals: false, resetState: true, commitIntervalMs: 50 })
      reset.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() })
        .aggregate(() => 0, (_word, _value, n) => n + 1, { name: 'counts', key: serdes.string(), value: serdes.json<number>() })
      // The old counts are dropped; counting goes on from the committed input offsets.
      await reset.start()
      await writeWords(log, 70, 7)
      await waitUntil(async () => (await storeContents(reset)).size === WORDS.length, 'the new words counted')
      expect(await storeContents(reset)).toEqual(new Map(WORDS.map((word) => [word, 1])))
      await reset.stop()
    })
  })

  test('a store that is gone (renamed) is refused: its state would be orphaned', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      await writeWords(log, 0, 7)
      const first = countApp(log, stateDir, 'at_least_once')
      await runUntilCounted(first, 7)
      await first.stop()
      const renamed = new App({ id: 'counter', log, stateDir, stores: rocksdbStores(), handleSignals: false })
      renamed.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('word-counts'))
      const error = await renamed.start().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(IncompatibleStateError)
      expect((error as Error).message).toContain('store counts (key-value) is no longer in the topology')
    })
  })
})
