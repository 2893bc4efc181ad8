import { describe, expect, test } from 'vitest'
import { named, serdes, type Windowed } from '../../index.js'
import { every, hopping, tumbling, untilWindowCloses } from '../../operators/index.js'
import { windowStartsFor } from '../../core/time/windows.js'
import { driverPerTest } from '../operators/helpers.js'

const MINUTE = 60_000
const counts = { key: serdes.windowed(serdes.string()), value: serdes.float64() }

/** `key@start-end=value` for each record, compact to compare. */
function show(records: readonly (readonly [Windowed<string>, number])[]): string[] {
  return records.map(([key, value]) => `${key.key}@${key.window.start / 1000}-${key.window.end / 1000}=${value}`)
}

describe('window assignment', () => {
  test('tumbling windows: one window per record, starting at multiples of the size', () => {
    const windows = tumbling(10)
    expect(windowStartsFor(windows, 0)).toEqual([0])
    expect(windowStartsFor(windows, 9)).toEqual([0])
    expect(windowStartsFor(windows, 10)).toEqual([10])
  })

  test('hopping windows: size / advance windows per record, none before 0', () => {
    const windows = hopping(10, 5)
    expect(windowStartsFor(windows, 12)).toEqual([5, 10])
    expect(windowStartsFor(windows, 10)).toEqual([5, 10])
    expect(windowStartsFor(windows, 3)).toEqual([0])
  })

  test('sizes and advances take durations; nonsense is refused', () => {
    expect(tumbling('5m').sizeMs).toBe(5 * MINUTE)
    expect(hopping('1h', '15m', { grace: '30s' })).toMatchObject({ sizeMs: 3_600_000, advanceMs: 900_000, graceMs: 30_000 })
    expect(() => hopping(10, 20)).toThrow('0 < advance ≤ size')
    expect(() => tumbling('5 minutes' as never)).toThrow("like '10s'")
  })
})

describe('windowed aggregations', () => {
  const start = driverPerTest()

  async function clicksPerMinute(grace: number, options: { lateRecords?: string } = {}) {
    const driver = await start(
      (app) => {
        app.stream('clicks', { key: serdes.string(), value: serdes.string() })
          .groupByKey({ key: serdes.string() })
          .windowedBy(tumbling(MINUTE, { grace }))
          .count({ name: 'clicks-per-minute', ...options })
          .toStream()
          .to('counts', counts)
      },
      { cacheMaxBytes: 0 },
    )
    if (options.lateRecords !== undefined) await driver.createTopic(options.lateRecords)
    return driver
  }

  test('tumbling counts per key and window, out-of-order records within grace included, later ones dropped and counted', async () => {
    const driver = await clicksPerMinute(30_000)
    const clicks = driver.input('clicks', { key: serdes.string(), value: serdes.string() })
    const at = (seconds: number) => ({ timestamp: seconds * 1000 })
    await clicks.send('a', { key: 'u1', ...at(10) })
    await clicks.send('b', { key: 'u1', ...at(50) })
    await clicks.send('c', { key: 'u1', ...at(70) }) // window [60, 120): stream time 70
    await clicks.send('d', { key: 'u1', ...at(20) }) // out of order, [0, 60) closes at 60 + 30: still open
    await clicks.send('e', { key: 'u2', ...at(95) }) // stream time 95: [0, 60) is closed now
    await clicks.send('f', { key: 'u1', ...at(30) }) // late: dropped
    expect(show(await driver.output('counts', counts).readKeyValues())).toEqual(['u1@0-60=1', 'u1@0-60=2', 'u1@60-120=1', 'u1@0-60=3', 'u2@60-120=1'])
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('a record exactly at end + grace is late; one just before is not', async () => {
    const driver = await clicksPerMinute(10_000)
    const clicks = driver.input('clicks', { key: serdes.string(), value: serdes.string() })
    await clicks.send('x', { key: 'k', timestamp: 69_999 }) // stream time 69.999 s: [0, 60) closes at 70 s
    await clicks.send('y', { key: 'k', timestamp: 59_999 })
    await clicks.send('z', { key: 'k', timestamp: 70_000 })
    await clicks.send('w', { key: 'k', timestamp: 59_999 })
    expect(show(await driver.output('counts', counts).readKeyValues())).toEqual(['k@60-120=1', 'k@0-60=1', 'k@60-120=2'])
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('late records go to a side output topic, with their original bytes and why', async () => {
    const driver = await clicksPerMinute(0, { lateRecords: 'late-clicks' })
    const clicks = driver.input('clicks', { key: serdes.string(), value: serdes.string() })
    await clicks.send('on time', { key: 'k', timestamp: 120_000 })
    await clicks.send('too late', { key: 'k', timestamp: 5_000 })
    const late = await driver.output('late-clicks', { key: serdes.string(), value: serdes.string() }).readAll()
    expect(late.map((record) => [record.key, record.value, record.timestamp])).toEqual([['k', 'too late', 5_000]])
    expect(late[0]!.headers.find((header) => header.key === 'tributary.error.code')?.value.toString()).toBe('TRIBUTARY_LATE_RECORD')
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('hopping windows update every window a record falls in', async () => {
    const driver = await start(
      (app) => {
        app.stream('bids', { key: serdes.string(), value: serdes.float64() })
          .groupByKey({ key: serdes.string(), value: serdes.float64() })
          .windowedBy(hopping(10_000, 5_000))
          .reduce((a, b) => Math.max(a, b), { name: 'max-bid', value: serdes.float64() })
          .toStream()
          .to('max-bids', counts)
      },
      { cacheMaxBytes: 0 },
    )
    const bids = driver.input('bids', { key: serdes.string(), value: serdes.float64() })
    await bids.send(3, { key: 'item', timestamp: 7_000 })
    await bids.send(5, { key: 'item', timestamp: 12_000 })
    await bids.send(4, { key: 'item', timestamp: 13_000 })
    expect(show(await driver.output('max-bids', counts).readKeyValues())).toEqual([
      'item@0-10=3', 'item@5-15=3',
      'item@5-15=5', 'item@10-20=5',
      'item@5-15=5', 'item@10-20=5',
    ])
  })

  test('an event-time extractor sets the time windows use', async () => {
    const driver = await start(
      (app) => {
        app.stream('events', { key: serdes.string(), value: serdes.json<{ at: number }>(), timestamp: (record) => record.value.at })
          .groupByKey({ key: serdes.string() })
          .windowedBy(tumbling(1_000))
          .count({ name: 'per-second' })
          .toStream()
          .to('counts', counts)
      },
      { cacheMaxBytes: 0 },
    )
    await driver.input('events', { key: serdes.string(), value: serdes.json<{ at: number }>() }).sendAll([
      { key: 'k', value: { at: 1_500 }, timestamp: 99_000 },
      { key: 'k', value: { at: 2_500 }, timestamp: 1 },
    ])
    expect(show(await driver.output('counts', counts).readKeyValues())).toEqual(['k@1-2=1', 'k@2-3=1'])
  })
})

describe('suppress(untilWindowCloses)', () => {
  const start = driverPerTest()

  test('emits one final result per window once stream time passes its end plus grace', async () => {
    const driver = await start(
      (app) => {
        app.stream('clicks', { key: serdes.string(), value: serdes.string() })
          .groupByKey({ key: serdes.string() })
          .windowedBy(tumbling(MINUTE, { grace: 10_000 }))
          .count({ name: 'clicks-per-minute' })
          .suppress(untilWindowCloses())
          .toStream()
          .to('final-counts', counts)
      },
      { cacheMaxBytes: 0 },
    )
    const clicks = driver.input('clicks', { key: serdes.string(), value: serdes.string() })
    const finals = driver.output('final-counts', counts)
    await clicks.sendAll([
      { key: 'u1', value: 'a', timestamp: 5_000 },
      { key: 'u2', value: 'b', timestamp: 20_000 },
      { key: 'u1', value: 'c', timestamp: 59_000 },
      { key: 'u1', value: 'd', timestamp: 65_000 }, // [60, 120) opens; [0, 60) still takes records until 70 s
      { key: 'u2', value: 'e', timestamp: 30_000 }, // out of order, within grace
    ])
    expect(await finals.readKeyValues()).toEqual([])
    await clicks.send('f', { key: 'u3', timestamp: 70_000 }) // stream time 70 s: [0, 60) closes
    expect(show(await finals.readKeyValues())).toEqual(['u1@0-60=2', 'u2@0-60=2'])
    await clicks.send('g', { key: 'u1', timestamp: 40_000 }) // late: dropped, nothing emitted again
    await clicks.send('h', { key: 'u3', timestamp: 130_000 })
    expect(show(await finals.readKeyValues())).toEqual(['u1@60-120=1', 'u3@60-120=1'])
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('is refused on a table that is not windowed', async () => {
    await expect(start((app) => {
      app.stream('words', { key: serdes.string(), value: serdes.string() }).groupByKey({ key: serdes.string() }).count(named('counts')).suppress(untilWindowCloses())
    })).rejects.toThrow('untilWindowCloses needs a windowed table')
  })
})

describe('punctuators and the idle timeout', () => {
  const start = driverPerTest()

  test('a wall-clock punctuator fires every interval of the fake clock, once however far it jumps', async () => {
    const driver = await start((app) => {
      app.stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(every('10s', (now) => [{ key: 'tick', value: String(now) }]))
        .to('out', { key: serdes.string(), value: serdes.string() })
    })
    const out = driver.output('out', { key: serdes.string(), value: serdes.string() })
    await driver.input('in', { key: serdes.string(), value: serdes.string() }).send('hello', { key: 'k' })
    const t0 = driver.clock.now()
    await driver.advanceTime(9_999)
    expect(await out.readKeyValues()).toEqual([['k', 'hello']])
    await driver.advanceTime(1)
    expect(await out.readKeyValues()).toEqual([['tick', String(t0 + 10_000)]])
    await driver.advanceTime(35_000)
    expect(await out.readKeyValues()).toEqual([['tick', String(t0 + 45_000)]])
  })

  test('a stream-time punctuator fires as records move stream time', async () => {
    const driver = await start((app) => {
      app.stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(every(1_000, (time) => [{ key: 'at', value: String(time) }], { on: 'stream-time' }))
        .to('out', { key: serdes.string(), value: serdes.string() })
    })
    const input = driver.input('in', { key: serdes.string(), value: serdes.string() })
    for (const timestamp of [100, 600, 1_100, 1_300, 5_000]) await input.send('r', { key: 'k', timestamp })
    const ticks = (await driver.output('out', { key: serdes.string(), value: serdes.string() }).readKeyValues()).filter(([key]) => key === 'at')
    expect(ticks).toEqual([['at', '1100'], ['at', '5000']])
  })

  test("with an idle timeout, a quiet partition's windows close on the wall clock and suppress emits their final results", async () => {
    const driver = await start(
      (app) => {
        app.stream('clicks', { key: serdes.string(), value: serdes.string() })
          .groupByKey({ key: serdes.string() })
          .windowedBy(tumbling(MINUTE, { grace: 5_000 }))
          .count({ name: 'per-minute' })
          .suppress(untilWindowCloses())
          .toStream()
          .to('final-counts', counts)
      },
      { idleTimeout: '30s', cacheMaxBytes: 0 },
    )
    const finals = driver.output('final-counts', counts)
    const now = driver.clock.now()
    const minuteStart = Math.floor(now / MINUTE) * MINUTE
    await driver.input('clicks', { key: serdes.string(), value: serdes.string() }).send('x', { key: 'u1', timestamp: minuteStart + 1_000 })
    await driver.advanceTime(29_000)
    expect(await finals.readKeyValues()).toEqual([])
    // Stream time now moves with the wall clock from the record's time: the window closes at its end + grace.
    await driver.advanceTime(MINUTE + 5_000 - 1_000 - 29_000 - 1)
    expect(await finals.readKeyValues()).toEqual([])
    await driver.advanceTime(1)
    expect(show(await finals.readKeyValues()).map((line) => line.replace(/@\d+-\d+/, ''))).toEqual(['u1=1'])
  })
})
