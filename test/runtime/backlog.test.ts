import { describe, expect, test } from 'vitest'
import { App, openEmbeddedLog, serdes } from '../../index.js'
import { mapValues } from '../../operators/index.js'
import { tempDirPerTest, waitUntil } from './helpers.js'

const newDir = tempDirPerTest('backlog')

describe('an app working through a backlog', () => {
  test('yields to the event loop between fetches, so timers, signals and I/O are not starved', async () => {
    const log = await openEmbeddedLog({ dir: newDir(), durability: 'none' })
    const total = 50_000
    await log.createTopic('in', { partitions: 1 })
    await log.createTopic('out', { partitions: 1 })
    const producer = log.producer()
    for (let i = 0; i < total; i += 5_000) {
      await producer.send(Array.from({ length: 5_000 }, (_, j) => ({ topic: 'in', value: Buffer.from(`v${i + j}`) })))
    }
    const app = new App({ id: 'backlog', log, handleSignals: false })
    app.stream('in', { value: serdes.string() }).pipe(mapValues((value) => value.toUpperCase())).to('out', { value: serdes.string() })
    await app.start()
    // A macrotask queued now runs at the loop's first yield, long before the backlog is done.
    const processedWhenTimersRan = await new Promise<number>((resolve) => setImmediate(() => resolve(app.metrics().recordsIn)))
    await waitUntil(() => app.metrics().recordsIn === total, 'the backlog to be processed')
    await app.stop()
    await log.close()
    expect(processedWhenTimersRan).toBeLessThan(total / 2)
  })
})
