import { describe, expect, test } from 'vitest'
import { App, openEmbeddedLog, serdes, TestDriver } from '../../index.js'
import { repartition, selectKey } from '../../operators/index.js'
import { tempDirPerTest } from './helpers.js'

describe('repartition topics an app creates', () => {
  const tempDir = tempDirPerTest('repartition')

  test('are kept until purged, as Kafka Streams keeps them: no time retention, 50 MiB segments, delete cleanup', async () => {
    const log = await openEmbeddedLog({ dir: tempDir(), durability: 'none' })
    try {
      await log.createTopic('in', { partitions: 2 })
      await log.createTopic('out', { partitions: 1 })
      const app = new App({ id: 'keyer', log, handleSignals: false })
      app
        .stream('in', { value: serdes.string() })
        .pipe(selectKey((value) => value), repartition({ name: 'by-value' }))
        .to('out', { key: serdes.json<string>(), value: serdes.json<string>() })
      await app.start()
      await app.stop()
      const { config } = await log.describeTopic('keyer-by-value-repartition')
      expect(config).toMatchObject({ partitions: 2, cleanup: 'delete', retentionMs: -1, segmentBytes: 50 * 1024 * 1024 })
    } finally {
      await log.close()
    }
  })

  test('what the app has committed of a repartition topic is deleted, every 30 s at most', async () => {
    const driver = await TestDriver.start((app) => {
      app.stream('words', { value: serdes.string() })
        .groupBy((word) => word, { key: serdes.string(), value: serdes.string(), name: 'by-word' })
        .count({ name: 'word-counts' })
    })
    try {
      const words = driver.input('words', { value: serdes.string() })
      const start = async (): Promise<number> => (await driver.log.describeTopic('test-app-by-word-repartition')).partitions[0]!.startOffset
      await words.sendAll(['a', 'b', 'a'].map((value) => ({ value })))
      expect(await start()).toBe(0) // committed, but within 30 s of the last purge (at start-up)
      await driver.advanceTime(30_000)
      expect(await start()).toBe(3)
      await words.sendAll(['c', 'd'].map((value) => ({ value })))
      expect(await start()).toBe(3)
      await driver.advanceTime(30_000)
      expect(await start()).toBe(5)
      expect(await driver.store<string, number>('word-counts').get('a')).toBe(2)
    } finally {
      await driver.close()
    }
  })
})
