import { describe, expect, test } from 'vitest'
import { App, rocksdbStores, serdes, type Log } from '../../index.js'
import { tumbling, untilWindowCloses } from '../../operators/index.js'
import { readTopic, tempDirPerTest, waitUntil, withLog } from '../runtime/helpers.js'

const counts = { key: serdes.windowed(serdes.string()), value: serdes.float64() }

function finalCountsApp(log: Log, stateDir: string): App {
  const app = new App({ id: 'finals', log, stateDir, stores: rocksdbStores(), handleSignals: false, processing: 'exactly_once', cacheMaxBytes: 0 })
  app.stream('clicks', { key: serdes.string(), value: serdes.string() })
    .groupByKey({ key: serdes.string() })
    .windowedBy(tumbling(60_000))
    .count({ name: 'per-minute' })
    .suppress(untilWindowCloses())
    .toStream()
    .to('final-counts', counts)
  return app
}

async function send(log: Log, records: readonly [string, number][]): Promise<void> {
  await log.producer().send(records.map(([key, timestamp]) => ({ topic: 'clicks', key: Buffer.from(key), value: Buffer.from('x'), timestamp })))
}

describe('suppress across a restart', () => {
  const tempDir = tempDirPerTest('suppress')

  test('updates held back before a stop are emitted after the restart, once their window closes', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      await log.createTopic('clicks', { partitions: 1 })
      await log.createTopic('final-counts', { partitions: 1 })
      await send(log, [['u1', 1_000], ['u1', 2_000], ['u2', 3_000]])
      const first = finalCountsApp(log, stateDir)
      await first.start()
      await waitUntil(() => first.metrics().recordsIn >= 3, 'the first records taken')
      await first.stop()
      expect(await readTopic(log, 'final-counts')).toEqual([])
      const second = finalCountsApp(log, stateDir)
      await second.start()
      await send(log, [['u3', 61_000]])
      await waitUntil(async () => (await readTopic(log, 'final-counts')).length >= 2, 'the final counts of the first minute')
      await second.stop()
      const finals = (await readTopic(log, 'final-counts')).map((record) => {
        const key = counts.key.deserialize(record.key!, { topic: 'final-counts', isKey: true })
        return `${key.key}@${key.window.start}=${record.value!.readDoubleBE(0)}`
      })
      expect(finals).toEqual(['u1@0=2', 'u2@0=1'])
    })
  })
})
