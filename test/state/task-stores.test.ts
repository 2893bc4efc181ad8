import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { createMemoryLog } from '../../core/log/memory/index.js'
import type { Log, ProducerRecord } from '../../core/log/types.js'
import { rocksdbStores } from '../../state/backend/rocksdb-backend.js'
import { CacheBudget } from '../../state/cache-budget.js'
import { readCheckpoint, writeCheckpoint } from '../../state/checkpoint.js'
import type { CachedKeyValueStore } from '../../state/key-value-store.js'
import type { RestoreProgress } from '../../state/restore.js'
import { restoreReporter } from '../../state/restore-progress.js'
import type { KeyValueStoreSpec } from '../../state/store-spec.js'
import { TaskStores } from '../../state/task-stores.js'
import { useBackends } from './helpers.js'

const SPEC: KeyValueStoreSpec = { kind: 'key-value', name: 'counts', key: serdes.string() as never, value: serdes.json<number>() as never }
const TOPIC = 'app-counts-changelog'

async function changelogWith(entries: readonly [string, number | null][]): Promise<Log> {
  const log = createMemoryLog()
  await log.createTopic(TOPIC, { partitions: 1, cleanup: 'compact' })
  await log.producer().send(entries.map(([key, value]) => ({ topic: TOPIC, partition: 0, key: Buffer.from(key), value: value === null ? null : Buffer.from(JSON.stringify(value)) })))
  return log
}

describe('task stores: restore and checkpoints', () => {
  const backends = useBackends(rocksdbStores())

  function stores(log: Log, appDir: string, exactlyOnce: boolean, sent: ProducerRecord[] = [], progress?: (p: RestoreProgress) => void): TaskStores {
    return new TaskStores({ appId: 'app', partition: 0, specs: [SPEC], backends: rocksdbStores(), appDir, log, exactlyOnce, budget: new CacheBudget(1 << 20), send: (record) => sent.push(record), ...(progress ? { progress } : {}) })
  }

  test('a shard without a checkpoint is rebuilt from the whole changelog; tombstones delete', async () => {
    const log = await changelogWith([['a', 1], ['b', 2], ['a', 3], ['b', null]])
    const task = stores(log, backends.dir(), false)
    await task.open()
    const shard = task.store<CachedKeyValueStore<string, number>>('counts')!
    expect(await shard.get('a')).toBe(3)
    expect(await shard.get('b')).toBeUndefined()
    await task.close(false)
  })

  test('restore starts at the checkpoint: changelog records before it are not replayed', async () => {
    const log = await changelogWith([['old', 1], ['kept', 2]])
    const appDir = backends.dir()
    const first = stores(log, appDir, false)
    await first.open()
    await first.close(true) // a clean close checkpoints at the changelog's end (2)
    expect(readCheckpoint(path.join(appDir, 'counts-0'))).toEqual({ offset: 2 })
    // Records the store never saw, before the checkpoint, and one after it.
    await log.producer().send([{ topic: TOPIC, partition: 0, key: Buffer.from('ghost'), value: Buffer.from('9') }])
    writeCheckpoint(path.join(appDir, 'counts-0'), { offset: 3 })
    await log.producer().send([{ topic: TOPIC, partition: 0, key: Buffer.from('new'), value: Buffer.from('4') }])
    const second = stores(log, appDir, false)
    await second.open()
    const shard = second.store<CachedKeyValueStore<string, number>>('counts')!
    expect(await shard.get('kept')).toBe(2)
    expect(await shard.get('ghost')).toBeUndefined()
    expect(await shard.get('new')).toBe(4)
    await second.close(false)
  })

  test('under exactly_once the checkpoint is removed on open and written only by a clean close; after a crash the shard is wiped', async () => {
    const log = await changelogWith([['a', 1]])
    const appDir = backends.dir()
    const shardDir = path.join(appDir, 'counts-0')
    const sent: ProducerRecord[] = []
    const first = stores(log, appDir, true, sent)
    await first.open()
    await first.close(true)
    expect(fs.existsSync(path.join(shardDir, '.checkpoint'))).toBe(true)

    const running = stores(log, appDir, true, sent)
    await running.open()
    expect(fs.existsSync(path.join(shardDir, '.checkpoint'))).toBe(false)
    // A change that never made it to a committed changelog (the changelog record is only buffered)…
    running.store<CachedKeyValueStore<string, number>>('counts')!.put('uncommitted', 5)
    running.flushCaches()
    await running.persist()
    expect(sent.map((record) => String(record.key))).toEqual(['uncommitted'])
    await running.close(false) // …and a crash: no checkpoint

    const restarted = stores(log, appDir, true)
    await restarted.open()
    const shard = restarted.store<CachedKeyValueStore<string, number>>('counts')!
    expect(await shard.get('a')).toBe(1)
    expect(await shard.get('uncommitted')).toBeUndefined()
    await restarted.close(false)
  })

  test('under at_least_once a checkpoint is written after each commit', async () => {
    const log = await changelogWith([['a', 1]])
    const appDir = backends.dir()
    const task = stores(log, appDir, false)
    await task.open()
    await task.checkpoint()
    expect(readCheckpoint(path.join(appDir, 'counts-0'))).toEqual({ offset: 1 })
    await task.close(false)
  })

  test('restore reports progress: records, total and done', async () => {
    const entries = Array.from({ length: 12_000 }, (_, i) => [`k${i}`, i] as [string, number])
    const log = await changelogWith(entries)
    const reports: RestoreProgress[] = []
    const task = stores(log, backends.dir(), false, [], (progress) => reports.push(progress))
    await task.open()
    expect(reports.at(-1)).toMatchObject({ store: 'counts', partition: 0, restored: 12_000, total: 12_000, done: true })
    expect(reports.filter((report) => !report.done).length).toBeGreaterThan(0)
    await task.close(false)
  })
})

describe('restore progress reports', () => {
  const progress = (restored: number, elapsedMs: number, done = false): RestoreProgress => ({ store: 'counts', partition: 2, restored, total: 100_000, elapsedMs, done })

  test('a terminal gets one bar redrawn in place, with rate and time left', () => {
    const written: string[] = []
    const report = restoreReporter({ isTTY: true, write: (text) => written.push(text) }, () => undefined)
    report(progress(25_000, 1_000))
    report(progress(100_000, 4_000, true))
    expect(written[0]).toBe('\r[########----------------------] 25% restoring counts [2]: 25,000 of ~100,000 records, 25,000/s, 3 s left\u001b[K')
    expect(written[1]).toBe('\r[##############################] 100% restoring counts [2]: 100,000 records in 4.0 s (25,000/s)\u001b[K\n')
  })

  test('anything else gets a log line every 5 s and one at the end; small restores say nothing', () => {
    const lines: string[] = []
    const report = restoreReporter({ isTTY: false, write: () => undefined }, (line) => lines.push(line))
    report(progress(1_000, 0))
    report(progress(20_000, 1_000))
    report(progress(60_000, 5_000))
    report(progress(100_000, 6_000, true))
    expect(lines).toEqual([
      'restoring counts [2]: 1,000 of ~100,000 records, 1,000,000/s, 1 s left',
      'restoring counts [2]: 60,000 of ~100,000 records, 12,000/s, 4 s left',
      'restoring counts [2]: 100,000 records in 6.0 s (16,667/s)',
    ])
    const quiet: string[] = []
    const small = restoreReporter({ isTTY: false, write: () => undefined }, (line) => quiet.push(line))
    small({ ...progress(10, 1), total: 10, done: true })
    expect(quiet).toEqual([])
  })
})
