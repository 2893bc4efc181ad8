import { describe, expect, test } from 'vitest'
import { rocksdbStores, serdes, type App, type Stream, type TestDriver } from '../../index.js'
import { joinWindow } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'
import { joinSender, SECOND } from './helpers.js'
import { tempDirPerTest } from '../runtime/helpers.js'

type Kind = 'inner' | 'left' | 'outer'
type Values = Stream<string, string | null>

const input = { key: serdes.string(), value: serdes.nullable(serdes.string()) }
const output = { key: serdes.string(), value: serdes.string() }
const joiner = (left: string | null, right: string | null): string => `[${left}, ${right}]`

/**
 * The table "Semantics of stream-stream joins" of the Apache Kafka 4.0 documentation, Streams
 * Developer Guide, DSL API, section "Joining" > "KStream-KStream Join"
 * (docs/streams/developer-guide/dsl-api.html, apache/kafka@1eb7644): one key, records processed
 * in timestamp order (seconds), a join window of 15 seconds with a grace period of 5 seconds.
 * `value` null is a record with a null value; the columns list what the joiner is called with.
 */
const STREAM_STREAM_SEMANTICS: readonly { at: number; side: 'left' | 'right'; value: string | null; inner: string[]; left: string[]; outer: string[] }[] = [
  { at: 1, side: 'left', value: null, inner: [], left: [], outer: [] },
  { at: 2, side: 'right', value: null, inner: [], left: [], outer: [] },
  { at: 3, side: 'left', value: 'A', inner: [], left: [], outer: [] },
  { at: 4, side: 'right', value: 'a', inner: ['[A, a]'], left: ['[A, a]'], outer: ['[A, a]'] },
  { at: 5, side: 'left', value: 'B', inner: ['[B, a]'], left: ['[B, a]'], outer: ['[B, a]'] },
  { at: 6, side: 'right', value: 'b', inner: ['[A, b]', '[B, b]'], left: ['[A, b]', '[B, b]'], outer: ['[A, b]', '[B, b]'] },
  { at: 7, side: 'left', value: null, inner: [], left: [], outer: [] },
  { at: 8, side: 'right', value: null, inner: [], left: [], outer: [] },
  { at: 9, side: 'left', value: 'C', inner: ['[C, a]', '[C, b]'], left: ['[C, a]', '[C, b]'], outer: ['[C, a]', '[C, b]'] },
  { at: 10, side: 'right', value: 'c', inner: ['[A, c]', '[B, c]', '[C, c]'], left: ['[A, c]', '[B, c]', '[C, c]'], outer: ['[A, c]', '[B, c]', '[C, c]'] },
  { at: 11, side: 'right', value: null, inner: [], left: [], outer: [] },
  { at: 12, side: 'left', value: null, inner: [], left: [], outer: [] },
  { at: 13, side: 'right', value: null, inner: [], left: [], outer: [] },
  { at: 14, side: 'right', value: 'd', inner: ['[A, d]', '[B, d]', '[C, d]'], left: ['[A, d]', '[B, d]', '[C, d]'], outer: ['[A, d]', '[B, d]', '[C, d]'] },
  { at: 15, side: 'left', value: 'D', inner: ['[D, a]', '[D, b]', '[D, c]', '[D, d]'], left: ['[D, a]', '[D, b]', '[D, c]', '[D, d]'], outer: ['[D, a]', '[D, b]', '[D, c]', '[D, d]'] },
  { at: 40, side: 'left', value: 'E', inner: [], left: [], outer: [] },
  { at: 60, side: 'left', value: 'F', inner: [], left: ['[E, null]'], outer: ['[E, null]'] },
  { at: 80, side: 'right', value: 'f', inner: [], left: ['[F, null]'], outer: ['[F, null]'] },
  { at: 100, side: 'left', value: 'G', inner: [], left: [], outer: ['[null, f]'] },
]

function join(kind: Kind, left: Values, right: Values, window = joinWindow('15s', { grace: '5s' })): Stream<string, string> {
  const options = { name: 'left-right', key: serdes.string(), value: serdes.string(), otherValue: serdes.string() }
  if (kind === 'inner') return left.join(right, joiner, window, options)
  if (kind === 'left') return left.leftJoin(right, joiner, window, options)
  return left.outerJoin(right, joiner, window, options)
}

function joinApp(kind: Kind, window?: ReturnType<typeof joinWindow>): (app: App) => void {
  return (app) => join(kind, app.stream('left', input), app.stream('right', input), window).to('joined', output)
}

/** Sends one record to `side` at `seconds` and returns what the join emitted since the last call. */
const sender = (driver: TestDriver) => joinSender<'left' | 'right', string>(driver, output)

describe('stream-stream join: the documented semantics (Kafka 4.0 docs, DSL API, Joining, "Semantics of stream-stream joins")', () => {
  // Registered first, so the directories go after the drivers have closed.
  const tempDir = tempDirPerTest('joins')
  const start = driverPerTest()
  const backends = { memory: () => ({}), rocksdb: () => ({ stores: rocksdbStores(), stateDir: tempDir() }) }

  for (const [backend, stores] of Object.entries(backends)) for (const kind of ['inner', 'left', 'outer'] as const) {
    test(`${kind} join emits what the ${kind.toUpperCase()} JOIN column lists, row by row (${backend} stores)`, async () => {
      const send = sender(await start(joinApp(kind), { cacheMaxBytes: 0, ...stores() }))
      for (const row of STREAM_STREAM_SEMANTICS) {
        expect({ at: row.at, emitted: await send(row.side, row.value, row.at) }).toEqual({ at: row.at, emitted: row[kind] })
      }
    })
  }
})

describe('stream-stream join', () => {
  const start = driverPerTest()

  test('a joined record has the later of the two timestamps, and the key of both', async () => {
    const driver = await start(joinApp('inner'), { cacheMaxBytes: 0 })
    await driver.input('left', input).send('A', { key: 'k', timestamp: 10 * SECOND })
    await driver.input('right', input).send('a', { key: 'k', timestamp: 4 * SECOND }) // out of order
    await driver.input('right', input).send('b', { key: 'k', timestamp: 20 * SECOND })
    const records = await driver.output('joined', output).readAll()
    expect(records.map((record) => [record.key, record.value, record.timestamp])).toEqual([
      ['k', '[A, a]', 10 * SECOND],
      ['k', '[A, b]', 20 * SECOND],
    ])
  })

  test('records of other keys, or farther apart than the window, do not join', async () => {
    const send = sender(await start(joinApp('inner', joinWindow('10s', { grace: '5s' })), { cacheMaxBytes: 0 }))
    expect(await send('left', 'A', 100)).toEqual([])
    expect(await send('right', 'x', 101, 'other-key')).toEqual([])
    expect(await send('right', 'a', 111)).toEqual([])
    expect(await send('right', 'b', 110)).toEqual(['[A, b]'])
    expect(await send('right', 'c', 97)).toEqual(['[A, c]']) // out of order (stream time 111 s), in time for its window (97 + 10 + 5 s)
  })

  test('a record out of order within the grace period joins; one later than its window plus grace is dropped and counted', async () => {
    const driver = await start(joinApp('inner', joinWindow('10s', { grace: '5s' })), { cacheMaxBytes: 0 })
    const send = sender(driver)
    expect(await send('left', 'A', 100)).toEqual([])
    expect(await send('left', 'X', 113, 'other-key')).toEqual([]) // stream time 113 s
    expect(await send('right', 'a', 105)).toEqual(['[A, a]']) // 8 s out of order: its window closes at 105 + 10 + 5
    expect(driver.metrics().lateRecords).toBe(0)
    expect(await send('right', 'z', 97)).toEqual([]) // its window closed at 97 + 10 + 5 = 112 s: late, although A is 3 s away
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('asymmetric windows: before bounds how much earlier, after how much later the other record may be', async () => {
    const send = sender(await start(joinApp('inner', joinWindow(0, { before: '2s', after: '10s' })), { cacheMaxBytes: 0 }))
    await send('left', 'A', 100)
    expect(await send('right', 'early', 98)).toEqual(['[A, early]'])
    expect(await send('right', 'late', 110)).toEqual(['[A, late]'])
    expect(await send('right', 'too-late', 111)).toEqual([])
    expect(await send('left', 'B', 109)).toEqual(['[B, late]', '[B, too-late]']) // B's window: 107 s to 119 s
  })
})

describe('stream-stream left and outer joins', () => {
  const start = driverPerTest()

  test('an unmatched record is emitted once its window closes, not before; a match within the grace period cancels it', async () => {
    const send = sender(await start(joinApp('left', joinWindow('10s', { grace: '5s' })), { cacheMaxBytes: 0 }))
    expect(await send('left', 'A', 100)).toEqual([])
    expect(await send('left', 'B', 100, 'other-key')).toEqual([])
    expect(await send('left', 'X', 114, 'third-key')).toEqual([]) // A and B close at 100 + 10 + 5 = 115 s
    expect(await send('right', 'a', 108)).toEqual(['[A, a]']) // out of order, within the window and its grace
    expect(await send('left', 'Y', 115, 'third-key')).toEqual(['[B, null]'])
    expect(await send('left', 'Z', 200, 'third-key')).toEqual(['[X, null]', '[Y, null]'])
  })

  test('an outer join emits unmatched records of both sides at their own closing times, with their own timestamps', async () => {
    const driver = await start(joinApp('outer', joinWindow(0, { before: '5s', after: '1s' })), { cacheMaxBytes: 0 })
    const at = (seconds: number, key = 'k') => ({ key, timestamp: seconds * SECOND })
    await driver.input('left', input).send('A', at(10)) // closes at 10 + after = 11 s
    await driver.input('right', input).send('r', at(20)) // would join left records of 19 s to 25 s; closes at 20 + before = 25 s
    const joined = driver.output('joined', output)
    const emitted = async () => (await joined.readAll()).map((record) => [record.value, record.timestamp])
    expect(await emitted()).toEqual([['[A, null]', 10 * SECOND]])
    await driver.input('left', input).send('B', at(30, 'other-key'))
    expect(await emitted()).toEqual([['[null, r]', 20 * SECOND]])
  })

  test('several unmatched records of one key and timestamp are all emitted', async () => {
    const send = sender(await start(joinApp('left', joinWindow('1s')), { cacheMaxBytes: 0 }))
    await send('left', 'A1', 10)
    await send('left', 'A2', 10)
    expect(await send('right', 'x', 20, 'other-key')).toEqual(['[A1, null]', '[A2, null]'])
  })

  test('on a quiet input, the idle timeout moves stream time on with the wall clock and closes the windows', async () => {
    const driver = await start(joinApp('left', joinWindow('10s')), { cacheMaxBytes: 0, idleTimeout: '30s' })
    const joined = driver.output('joined', output)
    await driver.input('left', input).send('A', { key: 'k' }) // at the fake wall clock's time
    await driver.advanceTime(29_999)
    expect(await joined.readValues()).toEqual([])
    await driver.advanceTime(1)
    expect(await joined.readValues()).toEqual(['[A, null]'])
  })
})
