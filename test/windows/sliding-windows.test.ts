/**
 * Sliding windows. Where a test reproduces a Kafka Streams test or example, it names it:
 * `KStreamSlidingWindowAggregateTest` and `SlidingWindows.java` refer to
 * apache/kafka@1eb7644 (streams/src/test/java/org/apache/kafka/streams/kstream/internals/ and
 * streams/src/main/java/org/apache/kafka/streams/kstream/).
 */
import fs from 'node:fs'
import { describe, expect, test } from 'vitest'
import { App, rocksdbStores, serdes, type Log, type TestDriver, type TestDriverOptions, type Windowed } from '../../index.js'
import { sliding, untilWindowCloses } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'
import { readTopic, tempDirPerTest, waitUntil, withLog } from '../runtime/helpers.js'

const input = { key: serdes.string(), value: serdes.string() }
const counts = { key: serdes.windowed(serdes.string()), value: serdes.float64() }
const strings = { key: serdes.windowed(serdes.string()), value: serdes.string() }

/** A record to send: key, value, timestamp. */
type Sent = readonly [string, string, number]

/** `key@start-end=value` for each record, compact to compare. */
function show(records: readonly (readonly [Windowed<string>, number | string])[]): string[] {
  return records.map(([key, value]) => `${key.key}@${key.window.start}-${key.window.end}=${value}`)
}

/** Sorted by key, then window start, keeping the order of a window's updates (as the Kafka Streams test sorts). */
function byKeyAndStart(records: readonly (readonly [Windowed<string>, string])[]): string[] {
  const sorted = [...records].sort(([a], [b]) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.window.start - b.window.start))
  return show(sorted)
}

async function send(driver: TestDriver, records: readonly Sent[]): Promise<void> {
  const clicks = driver.input('in', input)
  for (const [key, value, timestamp] of records) await clicks.send(value, { key, timestamp })
}

interface Windows {
  readonly difference: number
  readonly grace: number
  readonly suppress?: boolean
  readonly lateRecords?: string
}

/** Counts per key in sliding windows, to `out`. */
function countApp(windows: Windows) {
  return (app: App): void => {
    let table = app.stream('in', input)
      .groupByKey({ key: serdes.string() })
      .windowedBy(sliding(windows.difference, { grace: windows.grace }))
      .count({ name: 'counts', ...(windows.lateRecords === undefined ? {} : { lateRecords: windows.lateRecords }) })
    if (windows.suppress === true) table = table.suppress(untilWindowCloses())
    table.toStream().to('out', counts)
  }
}

/** Kafka Streams' MockInitializer.STRING_INIT and MockAggregator.TOSTRING_ADDER: `0+v1+v2…`, to `out`. */
function concatApp(windows: Windows) {
  return (app: App): void => {
    let table = app.stream('in', input)
      .groupByKey({ key: serdes.string(), value: serdes.string() })
      .windowedBy(sliding(windows.difference, { grace: windows.grace }))
      .aggregate(() => '0', (_key, value, aggregate) => `${aggregate}+${value}`, { name: 'concat', value: serdes.string() })
    if (windows.suppress === true) table = table.suppress(untilWindowCloses())
    table.toStream().to('out', strings)
  }
}

describe('sliding()', () => {
  test('takes durations and refuses a time difference of 0', () => {
    expect(sliding('10s', { grace: '1m' })).toEqual({ kind: 'sliding', name: 'sliding(10s)', timeDifferenceMs: 10_000, graceMs: 60_000 })
    expect(sliding(5)).toMatchObject({ timeDifferenceMs: 5, graceMs: 0 })
    expect(() => sliding(0)).toThrow('time difference above 0')
    expect(() => sliding('5 minutes' as never)).toThrow("like '10s'")
  })
})

const backends: readonly [string, boolean][] = [['memory stores', false], ['RocksDB stores', true]]

describe.each(backends)('sliding windows on %s', (_name, onRocksdb) => {
  // Registered first, so directories go after the drivers are closed (hooks run in reverse order).
  const tempDir = tempDirPerTest('sliding')
  const startDriver = driverPerTest()
  const start = (setup: (app: App) => void, extra: TestDriverOptions = {}): Promise<TestDriver> => {
    const options: TestDriverOptions = { cacheMaxBytes: 0, ...(onRocksdb ? { stores: rocksdbStores(), stateDir: tempDir() } : {}), ...extra }
    return startDriver(setup, options)
  }

  test("Kafka Streams' documented example: three records make five windows, each emitted as it is created or changed", async () => {
    // SlidingWindows.java's class comment: time difference 5000 ms, records at 8000, 9200 and 12400.
    const driver = await start(countApp({ difference: 5_000, grace: 0 }))
    const out = driver.output('out', counts)
    await send(driver, [['A', '1', 8_000]])
    expect(show(await out.readKeyValues())).toEqual(['A@3000-8000=1'])
    await send(driver, [['A', '2', 9_200]])
    expect(show(await out.readKeyValues())).toEqual(['A@4200-9200=2', 'A@8001-13001=1'])
    await send(driver, [['A', '3', 12_400]])
    expect(show(await out.readKeyValues())).toEqual(['A@7400-12400=3', 'A@8001-13001=2', 'A@9201-14201=1'])
  })

  test('records with equal timestamps share their windows; a repeated time creates no second right window', async () => {
    const driver = await start(concatApp({ difference: 10, grace: 20 }))
    const out = driver.output('out', strings)
    await send(driver, [['k', 'a', 10], ['k', 'b', 10]])
    expect(show(await out.readKeyValues())).toEqual(['k@0-10=0+a', 'k@0-10=0+a+b'])
    await send(driver, [['k', 'c', 15], ['k', 'd', 15]])
    expect(show(await out.readKeyValues())).toEqual(['k@5-15=0+a+b+c', 'k@11-21=0+c', 'k@5-15=0+a+b+c+d', 'k@11-21=0+c+d'])
    await send(driver, [['k', 'e', 10]]) // out of order, at a time already seen: its windows, not the right one
    expect(show(await out.readKeyValues())).toEqual(['k@0-10=0+a+b+e', 'k@5-15=0+a+b+c+d+e'])
  })

  test('both ends are inclusive: a record exactly timeDifference before another is in its left window, one 1 ms further is not', async () => {
    const driver = await start(countApp({ difference: 10, grace: 0 }))
    const out = driver.output('out', counts)
    await send(driver, [['k', 'a', 100]])
    expect(show(await out.readKeyValues())).toEqual(['k@90-100=1'])
    await send(driver, [['k', 'b', 110]]) // a at the start of b's left window; b at the end of a's right window
    expect(show(await out.readKeyValues())).toEqual(['k@100-110=2', 'k@101-111=1'])
    await send(driver, [['k', 'c', 121]]) // b's right window [111, 121] is c's left window: one window, emitted once
    expect(show(await out.readKeyValues())).toEqual(['k@111-121=1'])
  })

  test('an out-of-order record within grace updates and creates windows on both sides', async () => {
    const driver = await start(countApp({ difference: 10, grace: 20 }))
    const out = driver.output('out', counts)
    await send(driver, [['k', 'a', 10], ['k', 'c', 30]])
    expect(show(await out.readKeyValues())).toEqual(['k@0-10=1', 'k@20-30=1'])
    await send(driver, [['k', 'b', 20]])
    expect(show(await out.readKeyValues())).toEqual([
      'k@10-20=2', // its left window, holding a
      'k@11-21=1', // a's right window, created
      'k@20-30=2', // c's left window, updated
      'k@21-31=1', // its own right window, holding c
    ])
  })

  test("records earlier than timeDifference fall in [0, timeDifference], as in Kafka Streams' processEarly", async () => {
    const driver = await start(countApp({ difference: 10, grace: 100 }))
    const out = driver.output('out', counts)
    await send(driver, [['k', 'a', 2], ['k', 'b', 5], ['k', 'c', 10]])
    expect(show(await out.readKeyValues())).toEqual(['k@0-10=1', 'k@0-10=2', 'k@3-13=1', 'k@0-10=3', 'k@3-13=2', 'k@6-16=1'])
  })

  test("a record whose left window closed (end + grace < stream time) is late: counted, dropped, sent to lateRecords; at exactly end + grace it counts", async () => {
    const driver = await start(countApp({ difference: 10, grace: 5, lateRecords: 'late' }))
    await driver.createTopic('late')
    const out = driver.output('out', counts)
    await send(driver, [['k', 'a', 100], ['k', 'b', 84]]) // stream time 100: [74, 84] closed at 89
    expect(driver.metrics().lateRecords).toBe(1)
    await send(driver, [['k', 'c', 95]]) // [85, 95] closes once stream time passes 100: still open
    expect(show(await out.readKeyValues())).toEqual(['k@90-100=1', 'k@85-95=1', 'k@90-100=2', 'k@96-106=1'])
    expect((await driver.output('late', input).readAll()).map((record) => [record.value, record.timestamp])).toEqual([['b', 84]])
  })

  test('a record whose left window closed is late even when a later window it would fall in is open', async () => {
    // Kafka Streams adds such a record to the open windows it finds in its store but remembers it
    // for none it creates later (KStreamSlidingWindowAggregateTest.testAggregateLargeInput, B@14
    // and C@11 with emit-final); here it is dropped, so every window holds exactly its records.
    const driver = await start(countApp({ difference: 10, grace: 0 }))
    const out = driver.output('out', counts)
    await send(driver, [['k', 'a', 20], ['k', 'b', 15], ['k', 'c', 25]])
    expect(show(await out.readKeyValues())).toEqual(['k@10-20=1', 'k@15-25=2', 'k@21-31=1'])
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('suppress emits one final result per window once stream time passes its end + grace (end inclusive)', async () => {
    const driver = await start(countApp({ difference: 10, grace: 5, suppress: true }))
    const out = driver.output('out', counts)
    await send(driver, [['k', 'a', 10], ['k', 'b', 14], ['x', 'c', 15]]) // stream time 15 = [0, 10]'s end + grace
    expect(await out.readKeyValues()).toEqual([])
    await send(driver, [['k', 'd', 10]]) // still in time for [0, 10]
    await send(driver, [['x', 'e', 16]])
    expect(show(await out.readKeyValues())).toEqual(['k@0-10=2'])
    await send(driver, [['x', 'f', 100]])
    expect(show(await out.readKeyValues())).toEqual(['k@4-14=3', 'x@5-15=1', 'x@6-16=2', 'k@11-21=1', 'x@16-26=1'])
  })

  test('a record the aggregator throws on is skipped and kept out of the windows recomputed later', async () => {
    const driver = await start(
      (app) => {
        app.stream('in', input)
          .groupByKey({ key: serdes.string(), value: serdes.string() })
          .windowedBy(sliding(10, { grace: 10 }))
          .aggregate(() => '', (_key, value, aggregate) => {
            if (value === 'bad') throw new Error('cannot aggregate bad')
            return aggregate + value
          }, { name: 'letters', value: serdes.string() })
          .toStream()
          .to('out', strings)
      },
      { onProcessingError: 'skip' },
    )
    await send(driver, [['k', 'a', 10], ['k', 'bad', 12], ['k', 'c', 15]])
    expect(show(await driver.output('out', strings).readKeyValues())).toEqual(['k@0-10=a', 'k@5-15=ac', 'k@11-21=c'])
    expect(driver.metrics().skipped).toBe(1)
  })

  test('KStreamSlidingWindowAggregateTest.testAggregateLargeInput: the same updates, out-of-order records included', async () => {
    const driver = await start(concatApp({ difference: 10, grace: 50 }))
    await send(driver, largeInput)
    expect(byKeyAndStart(await driver.output('out', strings).readKeyValues())).toEqual([
      'A@0-10=0+1', 'A@5-15=0+1+4', 'A@10-20=0+1+2', 'A@10-20=0+1+2+4', 'A@11-21=0+2', 'A@11-21=0+2+4',
      'A@12-22=0+2+3', 'A@12-22=0+2+3+4', 'A@16-26=0+2+3', 'A@21-31=0+3',
      'B@2-12=0+1', 'B@3-13=0+1+2', 'B@4-14=0+1+2+6', 'B@8-18=0+1+2+3', 'B@8-18=0+1+2+3+6', 'B@9-19=0+1+2+3+4',
      'B@9-19=0+1+2+3+4+6', 'B@13-23=0+2', 'B@13-23=0+2+3', 'B@13-23=0+2+3+4', 'B@13-23=0+2+3+4+6', 'B@14-24=0+3',
      'B@14-24=0+3+4', 'B@14-24=0+3+4+6', 'B@15-25=0+3+4+5', 'B@19-29=0+4', 'B@19-29=0+4+5', 'B@20-30=0+5',
      'C@1-11=0+1', 'C@5-15=0+1+2', 'C@6-16=0+1+2+3', 'C@11-21=0+1+2+3+4', 'C@12-22=0+2', 'C@12-22=0+2+3',
      'C@12-22=0+2+3+4', 'C@13-23=0+2+3+4+5', 'C@16-26=0+3', 'C@16-26=0+3+4', 'C@16-26=0+3+4+5', 'C@17-27=0+4',
      'C@17-27=0+4+5', 'C@22-32=0+5',
      'D@1-11=0+4', 'D@2-12=0+4+2', 'D@6-16=0+4+2+5', 'D@12-22=0+2', 'D@12-22=0+2+5', 'D@13-23=0+5', 'D@19-29=0+3',
    ])
    expect(driver.metrics().lateRecords).toBe(0)
  })

  test('KStreamSlidingWindowAggregateTest.testAggregateLargeInput with emit-final: suppress gives the same final windows', async () => {
    const driver = await start(concatApp({ difference: 10, grace: 10, suppress: true }))
    await send(driver, largeInput)
    expect(byKeyAndStart(await driver.output('out', strings).readKeyValues())).toEqual([
      'A@0-10=0+1', 'A@5-15=0+1+4',
      // Kafka Streams: 0+1+2+3+6, adding B@14 (whose left window had closed) to this open window.
      'B@2-12=0+1', 'B@3-13=0+1+2', 'B@8-18=0+1+2+3',
      'C@5-15=0+2', 'C@6-16=0+2+3',
    ])
    expect(driver.metrics().lateRecords).toBe(5) // B@14, C@11, D@11, D@12, D@16
  })

  test('KStreamSlidingWindowAggregateTest.testReduceSmallInput: the same updates of each window', async () => {
    const driver = await start((app) => {
      app.stream('in', input)
        .groupByKey({ key: serdes.string(), value: serdes.string() })
        .windowedBy(sliding(10, { grace: 5 }))
        .reduce((a, b) => `${a}+${b}`, { name: 'reduced' })
        .toStream()
        .to('out', strings)
    })
    await send(driver, [['A', '1', 10], ['A', '2', 14], ['A', '3', 15], ['A', '4', 22], ['A', '5', 26], ['A', '6', 30]])
    const updates = new Map<number, Set<string>>()
    for (const [key, value] of await driver.output('out', strings).readKeyValues()) {
      updates.set(key.window.start, (updates.get(key.window.start) ?? new Set()).add(value))
    }
    expect(updates).toEqual(new Map(Object.entries({
      0: ['1'], 4: ['1+2'], 5: ['1+2+3'], 11: ['2', '2+3'], 12: ['2+3+4'], 15: ['3', '3+4'], 16: ['4', '4+5'], 20: ['4+5+6'], 23: ['5', '5+6'], 27: ['6'],
    }).map(([start, values]) => [Number(start), new Set(values)])))
  })

  test('KStreamSlidingWindowAggregateTest.shouldLogAndMeterWhenSkippingExpiredWindowByGrace: the late records are dropped', async () => {
    const driver = await start(concatApp({ difference: 10, grace: 90 }))
    await send(driver, [['k', '100', 200], ...[100, 101, 102, 103, 104, 105].map((time, index): Sent => ['k', String(index), time]), ['k', '6', 15], ['k', '101', 300], ['k', '102', 400]])
    expect(show(await driver.output('out', strings).readKeyValues())).toEqual(['k@190-200=0+100', 'k@290-300=0+101', 'k@390-400=0+102'])
    expect(driver.metrics().lateRecords).toBe(7)
  })

  test('KStreamSlidingWindowAggregateTest.testAggregateRandomInput: any order within grace gives the same windows, and suppress their final values', async () => {
    // The aggregator sorts the letters, so a window's value does not depend on the order its records came in.
    const sortedLetters = (_key: string, value: string, aggregate: string): string => [...aggregate + value].sort().join('')
    const letters = 'ABCDEFGHIJKLMNOPQRSTU'.split('')
    const times = [10, 15, 16, 18, 30, 40, 55, 56, 58, 58, 62, 63, 63, 63, 76, 77, 80, 2, 3, 5, 8]
    const expected: Record<number, string> = {
      0: 'ARSTU', 3: 'ASTU', 4: 'ATU', 5: 'ABTU', 6: 'ABCU', 8: 'ABCDU', 9: 'ABCD', 11: 'BCD', 16: 'CD', 17: 'D', 20: 'E', 30: 'EF', 31: 'F',
      45: 'G', 46: 'GH', 48: 'GHIJ', 52: 'GHIJK', 53: 'GHIJKLMN', 56: 'HIJKLMN', 57: 'IJKLMN', 59: 'KLMN', 63: 'LMN', 66: 'O', 67: 'OP', 70: 'OPQ',
      77: 'PQ', 78: 'Q', 171: 'V',
    }
    for (const seed of [1, 2, 3]) {
      const driver = await start((app) => {
        const table = app.stream('in', input)
          .groupByKey({ key: serdes.string(), value: serdes.string() })
          .windowedBy(sliding(10, { grace: 100 }))
          .aggregate(() => '', sortedLetters, { name: 'letters', value: serdes.string() })
        table.toStream().to('out', strings)
        table.suppress(untilWindowCloses()).toStream().to('finals', strings)
      })
      await send(driver, [...shuffled(letters.map((letter, index): Sent => ['A', letter, times[index]!]), seed), ['A', 'V', 181]])
      const latest: Record<number, string> = {}
      for (const [key, value] of await driver.output('out', strings).readKeyValues()) latest[key.window.start] = value
      expect(latest, `seed ${seed}`).toEqual(expected)
      // Stream time 181 closes every window ending before 181 - 100.
      const finals = Object.fromEntries((await driver.output('finals', strings).readKeyValues()).map(([key, value]) => [key.window.start, value]))
      expect(finals, `seed ${seed}`).toEqual(Object.fromEntries(Object.entries(expected).filter(([start]) => Number(start) + 10 < 81)))
    }
  })

})

/** KStreamSlidingWindowAggregateTest.testAggregateLargeInput's input. */
const largeInput: readonly Sent[] = [
  ['A', '1', 10], ['A', '2', 20], ['A', '3', 22], ['A', '4', 15],
  ['B', '1', 12], ['B', '2', 13], ['B', '3', 18], ['B', '4', 19], ['B', '5', 25], ['B', '6', 14],
  ['C', '1', 11], ['C', '2', 15], ['C', '3', 16], ['C', '4', 21], ['C', '5', 23],
  ['D', '4', 11], ['D', '2', 12], ['D', '3', 29], ['D', '5', 16],
]

/** A copy of `items` in an order set by `seed` (Fisher–Yates with mulberry32). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const copy = [...items]
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    ;[copy[index], copy[other]] = [copy[other]!, copy[index]!]
  }
  return copy
}

describe('sliding windows across a restart', () => {
  const tempDir = tempDirPerTest('sliding-restart')

  function slidingCounts(log: Log, stateDir: string): App {
    const app = new App({ id: 'sliding', log, stateDir, stores: rocksdbStores(), handleSignals: false, cacheMaxBytes: 0 })
    countApp({ difference: 10, grace: 100 })(app)
    return app
  }

  test('the records kept for recomputing windows come back from the changelog, even with the state directory deleted', async () => {
    const stateDir = tempDir()
    await withLog(tempDir(), async (log) => {
      await log.createTopic('in', { partitions: 1 })
      await log.createTopic('out', { partitions: 1 })
      const produce = (key: string, timestamp: number) => log.producer().send([{ topic: 'in', key: Buffer.from(key), value: Buffer.from('x'), timestamp }])
      await produce('k', 10)
      await produce('k', 14)
      const first = slidingCounts(log, stateDir)
      await first.start()
      await waitUntil(async () => (await readTopic(log, 'out')).length >= 3, 'the first windows')
      await first.stop()
      fs.rmSync(stateDir, { recursive: true, force: true })
      const second = slidingCounts(log, stateDir)
      await second.start()
      await produce('k', 20)
      await waitUntil(async () => (await readTopic(log, 'out')).length >= 6, 'the windows of the third record')
      await second.stop()
      const windows = (await readTopic(log, 'out')).map((record) => {
        const key = counts.key.deserialize(record.key!, { topic: 'out', isKey: true })
        return `${key.key}@${key.window.start}-${key.window.end}=${record.value!.readDoubleBE(0)}`
      })
      expect(windows).toEqual(['k@0-10=1', 'k@4-14=2', 'k@11-21=1', 'k@10-20=3', 'k@11-21=2', 'k@15-25=1'])
    })
  })
})
