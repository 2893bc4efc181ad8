import { describe, expect, test } from 'vitest'
import { App, openEmbeddedLog, serdes } from '../../index.js'
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
})
