import { describe, expect, test } from 'vitest'
import { App, rocksdbStores, serdes, type Log } from '../../index.js'
import { joinWindow } from '../../operators/index.js'
import { readTopic, tempDirPerTest, waitUntil, withLog } from '../runtime/helpers.js'

function leftJoinApp(log: Log, stateDir: string): App {
  const app = new App({ id: 'joins', log, stateDir, stores: rocksdbStores(), handleSignals: false, cacheMaxBytes: 0 })
  const strings = { key: serdes.string(), value: serdes.string() }
  app.stream('orders', strings)
    .leftJoin(app.stream('payments', strings), (order, payment) => `${order}+${payment}`, joinWindow('10s'), { name: 'orders-payments', key: serdes.string(), value: serdes.string(), otherValue: serdes.string() })
    .to('paid', strings)
  return app
}

async function send(log: Log, topic: string, records: readonly [key: string, value: string, timestamp: number][]): Promise<void> {
  await log.producer().send(records.map(([key, value, timestamp]) => ({ topic, key: Buffer.from(key), value: Buffer.from(value), timestamp })))
}

describe('stream-stream join across a restart', () => {
  const tempDir = tempDirPerTest('join')

  test('records held before a stop still join after the restart, and unmatched ones are emitted once their window closes', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      for (const topic of ['orders', 'payments', 'paid']) await log.createTopic(topic, { partitions: 1 })
      await send(log, 'orders', [['o1', 'A', 1_000], ['o2', 'B', 1_000]])
      const first = leftJoinApp(log, stateDir)
      await first.start()
      await waitUntil(() => first.metrics().recordsIn >= 2, 'the first orders taken')
      await first.stop()
      expect(await readTopic(log, 'paid')).toEqual([])
      const second = leftJoinApp(log, stateDir)
      await second.start()
      await send(log, 'payments', [['o2', 'b', 5_000]])
      await waitUntil(async () => (await readTopic(log, 'paid')).length >= 1, 'the join of o2')
      await send(log, 'orders', [['o3', 'C', 30_000]])
      await waitUntil(async () => (await readTopic(log, 'paid')).length >= 2, 'the unmatched order of o1')
      await second.stop()
      const paid = (await readTopic(log, 'paid')).map((record) => `${record.key!.toString()}=${record.value!.toString()}`)
      expect(paid).toEqual(['o2=B+b', 'o1=A+null'])
    })
  })
})
