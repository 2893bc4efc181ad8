import { describe, expect, test } from 'vitest'
import { rocksdbStores, serdes, type TestDriver, type Windowed } from '../../index.js'
import { hopping, tumbling, untilWindowCloses } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'
import { tempDirPerTest } from '../runtime/helpers.js'

const SECOND = 1_000
const counts = { key: serdes.windowed(serdes.string()), value: serdes.float64() }
const clicks = { key: serdes.string(), value: serdes.string() }

function show(records: readonly (readonly [Windowed<string>, number])[]): string[] {
  return records.map(([key, value]) => `${key.key}@${key.window.start / SECOND}=${value}`)
}

async function readCounts(driver: TestDriver, topic = 'counts'): Promise<string[]> {
  return show((await driver.output(topic, counts).readKeyValues()) as [Windowed<string>, number][])
}

describe('windowed aggregations with the store cache on (Kafka Streams caching window store)', () => {
  const tempDir = tempDirPerTest('windowed-cache')
  const start = driverPerTest()
  const backends = { memory: () => ({}), rocksdb: () => ({ stores: rocksdbStores(), stateDir: tempDir() }) }

  for (const [backend, stores] of Object.entries(backends)) {
    test(`updates of a window between commits come out once, with the last count; the changelog gets one record per window (${backend} stores)`, async () => {
      const driver = await start((app) => {
        app.stream('clicks', clicks).groupByKey({ key: serdes.string() }).windowedBy(hopping(10 * SECOND, 5 * SECOND)).count({ name: 'clicks' }).toStream().to('counts', counts)
      }, stores())
      await driver.input('clicks', clicks).sendAll([
        { key: 'a', value: 'x', timestamp: 1 * SECOND },
        { key: 'a', value: 'x', timestamp: 2 * SECOND },
        { key: 'b', value: 'x', timestamp: 3 * SECOND },
        { key: 'a', value: 'x', timestamp: 6 * SECOND },
      ])
      // Windows of a: [0,10) 3 clicks, [5,15) 1 click; of b: [0,10) 1 click (and nothing before 0).
      expect((await readCounts(driver)).sort()).toEqual(['a@0=3', 'a@5=1', 'b@0=1'])
      const changelog = await driver.output('test-app-clicks-changelog').readAll()
      expect(changelog).toHaveLength(3)
      await driver.input('clicks', clicks).send('x', { key: 'a', timestamp: 7 * SECOND })
      expect((await readCounts(driver)).sort()).toEqual(['a@0=4', 'a@5=2'])
    })
  }

  test('with the cache off (cacheMaxBytes: 0, or cache: false), every update comes out', async () => {
    for (const options of [{ cacheMaxBytes: 0, cache: undefined }, { cacheMaxBytes: undefined, cache: false }]) {
      const driver = await start((app) => {
        app.stream('clicks', clicks).groupByKey({ key: serdes.string() }).windowedBy(tumbling(10 * SECOND)).count({ name: 'clicks', ...(options.cache === undefined ? {} : { cache: options.cache }) }).toStream().to('counts', counts)
      }, options.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytes })
      await driver.input('clicks', clicks).sendAll([1, 2, 3].map((second) => ({ key: 'a', value: 'x', timestamp: second * SECOND })))
      expect(await readCounts(driver)).toEqual(['a@0=1', 'a@0=2', 'a@0=3'])
      await driver.close()
    }
  })

  test('suppress after a cached window count still emits one final result per window', async () => {
    const driver = await start((app) => {
      app.stream('clicks', clicks).groupByKey({ key: serdes.string() }).windowedBy(tumbling(10 * SECOND, { grace: 0 })).count({ name: 'clicks' })
        .suppress(untilWindowCloses()).toStream().to('counts', counts)
    })
    const input = driver.input('clicks', clicks)
    await input.sendAll([1, 2, 3].map((second) => ({ key: 'a', value: 'x', timestamp: second * SECOND })))
    expect(await readCounts(driver)).toEqual([])
    await input.sendAll([{ key: 'a', value: 'x', timestamp: 4 * SECOND }, { key: 'b', value: 'x', timestamp: 12 * SECOND }])
    expect(await readCounts(driver)).toEqual(['a@0=4'])
    await input.send('x', { key: 'b', timestamp: 25 * SECOND })
    expect(await readCounts(driver)).toEqual(['b@10=1'])
  })

  test('suppress keeps a window open while the cache still holds updates of it, even when stream time passed its close before the commit', async () => {
    const driver = await start((app) => {
      app.stream('clicks', clicks).groupByKey({ key: serdes.string() }).windowedBy(tumbling(10 * SECOND, { grace: 0 })).count({ name: 'clicks' })
        .suppress(untilWindowCloses()).toStream().to('counts', counts)
    })
    // Between two commits: two keys update window [0,10), then a record far later closes it. The
    // commit's flush hands the cached updates down one by one: the window must not close (and drop
    // the second) when the first arrives.
    await driver.input('clicks', clicks).sendAll([
      { key: 'a', value: 'x', timestamp: 1 * SECOND },
      { key: 'b', value: 'x', timestamp: 2 * SECOND },
      { key: 'c', value: 'x', timestamp: 100 * SECOND },
    ])
    expect((await readCounts(driver)).sort()).toEqual(['a@0=1', 'b@0=1'])
  })
})
