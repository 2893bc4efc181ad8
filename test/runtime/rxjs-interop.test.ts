import { filter as rxFilter, map as rxMap, scan } from 'rxjs'
import { describe, expect, test } from 'vitest'
import { serdes, type Stream, type StreamRecord } from '../../index.js'
import { mapValues, selectKey } from '../../operators/index.js'
import { driverPerTest, ManualAsync } from '../operators/helpers.js'

const kv = { key: serdes.string(), value: serdes.string() }

describe('RxJS interop', () => {
  const start = driverPerTest()

  test('a standard RxJS operator composes with ours inside pipe', async () => {
    const driver = await start((app) => {
      app
        .stream('in', kv)
        .pipe(
          mapValues((value) => value.trim()),
          rxFilter((record) => record.value.length > 0),
          rxMap((record) => ({ ...record, value: record.value.length })),
          selectKey((length) => `len-${length}`),
        )
        .to('out', { key: serdes.string(), value: serdes.int32() })
    })
    await driver.input('in', kv).sendAll([' ab ', '   ', 'abcd'].map((value, i) => ({ key: `k${i}`, value })))
    expect(await driver.output('out', { key: serdes.string(), value: serdes.int32() }).readKeyValues()).toEqual([
      ['len-2', 2],
      ['len-4', 4],
    ])
  })

  test('a stateful RxJS operator (scan) keeps its state across records of its task', async () => {
    const driver = await start((app) => {
      app
        .stream('amounts', { key: serdes.string(), value: serdes.int32() })
        .pipe(scan((total: StreamRecord<string, number>, record) => ({ ...record, value: total.value + record.value })))
        .to('running-total', { key: serdes.string(), value: serdes.int32() })
    })
    const amounts = driver.input('amounts', { key: serdes.string(), value: serdes.int32() })
    await amounts.send(5, { key: 'k' })
    await amounts.send(7, { key: 'k' })
    await amounts.send(1, { key: 'k' })
    expect(await driver.output('running-total', { key: serdes.string(), value: serdes.int32() }).readValues()).toEqual([5, 12, 13])
  })

  test('a promise-returning RxJS step is awaited, in order per key', async () => {
    const upper = new ManualAsync<string, string>()
    const driver = await start((app) => {
      app
        .stream('in', kv)
        .pipe(rxMap(async (record) => ({ ...record, value: await upper.fn(record.value) })))
        .to('out', kv)
    })
    const sent = driver.input('in', kv).sendAll([
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
      { key: 'a', value: 'a2' },
    ])
    await upper.started(3)
    upper.callFor('a2').resolve('A2')
    upper.callFor('b1').resolve('B1')
    upper.callFor('a1').resolve('A1')
    await sent
    expect(await driver.output('out', kv).readKeyValues()).toEqual([
      ['b', 'B1'],
      ['a', 'A1'],
      ['a', 'A2'],
    ])
  })

  test('the stream after an async RxJS step is typed by the resolved record', async () => {
    const driver = await start((app) => {
      const lengths = app.stream('in', kv).pipe(rxMap(async (record) => ({ ...record, value: record.value.length })))
      lengths.pipe(mapValues((length) => length * 2)).to('out', { value: serdes.int32() })
    })
    await driver.input('in', kv).send('abc', { key: 'k' })
    expect(await driver.output('out', { value: serdes.int32() }).readValues()).toEqual([6])
  })

  test('stream.subscribe sees the records flowing at that point, when subscribed before start', async () => {
    const seen: [string, string][] = []
    const observed: string[] = []
    let completed = false
    const driver = await start((app) => {
      const upper: Stream<string, string> = app.stream('in', kv).pipe(mapValues((value) => value.toUpperCase()))
      upper.subscribe((record) => seen.push([record.key, record.value]))
      upper.subscribe({ next: (record) => observed.push(record.value), complete: () => (completed = true) })
      upper.to('out', kv)
    })
    await driver.input('in', kv).sendAll([
      { key: 'k1', value: 'a' },
      { key: 'k2', value: 'b' },
    ])
    expect(seen).toEqual([
      ['k1', 'A'],
      ['k2', 'B'],
    ])
    expect(observed).toEqual(['A', 'B'])
    expect(completed).toBe(false)
  })

  test('stream.asObservable feeds a plain RxJS pipeline', async () => {
    const totals: number[] = []
    const driver = await start((app) => {
      const lengths = app.stream('in', kv).pipe(mapValues((value) => value.length))
      lengths
        .asObservable()
        .pipe(scan((sum, record) => sum + record.value, 0))
        .subscribe((sum) => totals.push(sum))
      lengths.to('out', { value: serdes.int32() })
    })
    await driver.input('in', kv).sendAll([{ key: 'k1', value: 'ab' }, { key: 'k2', value: 'cde' }])
    expect(totals).toEqual([2, 5])
  })
})

describe('watching a stream', () => {
  test('subscribing after start is refused with a ConfigError, not silently ignored', async () => {
    const { ConfigError, TestDriver, serdes } = await import('../../index.js')
    let stream: import('../../index.js').Stream<Buffer | null, string> | undefined
    const driver = await TestDriver.start((app) => {
      stream = app.stream('in', { value: serdes.string() })
      stream.to('out', { value: serdes.string() })
    })
    expect(() => stream!.subscribe(() => undefined)).toThrowError(ConfigError)
    await driver.close()
  })
})
