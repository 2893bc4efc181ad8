import { describe, expect, test } from 'vitest'
import { App, ManualClock, serdes, type Log } from '../../index.js'
import { peek, repartition } from '../../operators/index.js'
import { tempDirPerTest, waitUntil, withLog } from './helpers.js'

describe('a task takes its inputs in timestamp order', () => {
  const tempDir = tempDirPerTest('timestamp-order')

  async function fill(log: Log, topic: string, timestamps: readonly number[]): Promise<void> {
    await log.createTopic(topic, { partitions: 1 })
    await log.producer().send(timestamps.map((timestamp) => ({ topic, key: Buffer.from('k'), value: Buffer.from(String(timestamp)), timestamp })))
  }

  test('on a backlog larger than a poll, records of two inputs are interleaved by timestamp across polls', async () => {
    await withLog(tempDir(), async (log) => {
      // Even timestamps in one topic, odd in the other: each a backlog of three polls.
      await fill(log, 'evens', Array.from({ length: 3_000 }, (_, i) => 2 * i))
      await fill(log, 'odds', Array.from({ length: 3_000 }, (_, i) => 2 * i + 1))
      const seen: number[] = []
      const app = new App({ id: 'ordered', log, handleSignals: false, maxPollRecords: 1_000 })
      app.stream('evens', { value: serdes.string() })
        .merge(app.stream('odds', { value: serdes.string() }))
        .pipe(peek((record) => seen.push(record.timestamp)))
      await app.start()
      await waitUntil(() => seen.length === 6_000, 'every record taken')
      await app.stop()
      expect(seen).toEqual(Array.from({ length: 6_000 }, (_, i) => i))
    })
  })

  test('with maxTaskIdle, a task waits for an input fed through a repartition topic while it is empty, so the other input does not run ahead', async () => {
    await withLog(tempDir(), async (log) => {
      // Neither backlog fills a poll: without maxTaskIdle the task could take every direct record
      // before the rerouted ones have come back through the repartition topic.
      await fill(log, 'direct', Array.from({ length: 300 }, (_, i) => 2 * i))
      await fill(log, 'rerouted', Array.from({ length: 300 }, (_, i) => 2 * i + 1))
      const seen: number[] = []
      // The clock never moves, so the wait never runs out: the order cannot depend on timing.
      const app = new App({ id: 'idle', log, handleSignals: false, maxTaskIdle: '1s', clock: new ManualClock(0) })
      const rerouted = app.stream('rerouted', { key: serdes.string(), value: serdes.string() }).pipe(repartition({ name: 'rerouted-again', key: serdes.string(), value: serdes.string() }))
      app.stream('direct', { key: serdes.string(), value: serdes.string() })
        .merge(rerouted)
        .pipe(peek((record) => seen.push(record.timestamp)))
      await app.start()
      await waitUntil(() => seen.length === 599, 'every record but the last taken')
      await app.stop()
      // The last rerouted record is held back while `direct`, drained, is waited for.
      expect(seen).toEqual(Array.from({ length: 599 }, (_, i) => i))
    })
  })

  test('an input fetched ahead of another (sparser in event time, or fed through a repartition topic) pauses, so neither runs ahead of the other', async () => {
    await withLog(tempDir(), async (log) => {
      // Both span 600 s of event time: a sparse input (one record per 30 ms) and a dense one (one per
      // 10 ms) that reaches the task through a repartition topic, behind the sparse one.
      await fill(log, 'sparse', Array.from({ length: 20_000 }, (_, i) => 30 * i))
      await fill(log, 'dense', Array.from({ length: 60_000 }, (_, i) => 10 * i))
      const seen: number[] = []
      const app = new App({ id: 'aligned', log, handleSignals: false, maxPollRecords: 1_000 })
      const dense = app.stream('dense', { key: serdes.string(), value: serdes.string() }).pipe(repartition({ name: 'dense-again', key: serdes.string(), value: serdes.string() }))
      app.stream('sparse', { key: serdes.string(), value: serdes.string() })
        .merge(dense)
        .pipe(peek((record) => seen.push(record.timestamp)))
      await app.start()
      await waitUntil(() => seen.length === 80_000, 'every record taken')
      await app.stop()
      // How far behind the newest record taken before it each record is: never by minutes.
      let newest = -Infinity
      let furthestBehind = 0
      for (const timestamp of seen) {
        furthestBehind = Math.max(furthestBehind, newest - timestamp)
        newest = Math.max(newest, timestamp)
      }
      expect(furthestBehind).toBeLessThan(30_000)
    })
  })
})
