import { afterEach, describe, expect, test } from 'vitest'
import { App, named, openEmbeddedLog, serdes, type Log } from '../../index.js'
import type { AppState } from '../../core/observe/index.js'
import { tempDirPerTest, waitUntil } from '../runtime/helpers.js'

const newDir = tempDirPerTest('observe-restore')
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function countingApp(log: Log, stateDir: string): App {
  const app = new App({ id: 'restoring', log, handleSignals: false, commitIntervalMs: 50, stateDir })
  app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey().count(named('counts'))
  cleanups.push(() => app.stop())
  return app
}

describe('restore progress in metrics', () => {
  test('an app whose local state is gone goes through RESTORING and reports each shard restored', async () => {
    const log = await openEmbeddedLog({ dir: newDir(), durability: 'none' })
    cleanups.push(() => log.close())
    await log.createTopic('words', { partitions: 2 })
    await log.producer().send(Array.from({ length: 400 }, (_, i) => ({ topic: 'words', key: Buffer.from(`w${i % 100}`), value: Buffer.from('x') })))
    const first = countingApp(log, newDir())
    await first.start()
    await waitUntil(() => first.metrics().recordsIn === 400 && first.metrics().commits > 0, 'the words counted and committed')
    await first.stop()

    // Same app, empty state directory: its stores restore from their changelogs.
    const second = countingApp(log, newDir())
    const states: AppState[] = []
    second.onStateChange((state) => states.push(state))
    await second.start()
    await waitUntil(() => second.state === 'RUNNING' && second.metrics().restores.length === 2, 'both shards restored')
    // Joining, restoring the shards it was given, then running once the assignment is done.
    expect(states.slice(0, states.indexOf('RUNNING') + 1)).toEqual(['REBALANCING', 'RESTORING', 'REBALANCING', 'RUNNING'])
    const restores = second.metrics().restores
    expect(restores.map((restore) => [restore.store, restore.partition, restore.done]).sort()).toEqual([
      ['counts', 0, true],
      ['counts', 1, true],
    ])
    // Every key's latest count is in the changelog (older updates may be compacted or cached away).
    expect(restores.reduce((sum, restore) => sum + restore.restored, 0)).toBeGreaterThanOrEqual(100)
    const { stores } = await second.measuredMetrics()
    expect(stores.reduce((sum, store) => sum + (store.keys ?? 0), 0)).toBe(100)
  })
})
