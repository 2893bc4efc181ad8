import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { mapAsync } from '../../operators/index.js'
import { driverPerTest, ManualAsync } from './helpers.js'

const kv = { key: serdes.string(), value: serdes.string() }

describe('mapAsync', () => {
  const start = driverPerTest()

  test('emits results in input order per key, even when a later key resolves first', async () => {
    const lookup = new ManualAsync<string, string>()
    const driver = await start((app) => {
      app
        .stream('in', kv)
        .pipe(mapAsync((value) => lookup.fn(value)))
        .to('out', kv)
    })
    const sent = driver.input('in', kv).sendAll([
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
      { key: 'a', value: 'a2' },
    ])
    await lookup.started(3)
    lookup.callFor('a2').resolve('A2') // waits behind a1, of the same key
    lookup.callFor('b1').resolve('B1') // overtakes a1: another key
    lookup.callFor('a1').resolve('A1')
    await sent
    expect(await driver.output('out', kv).readKeyValues()).toEqual([
      ['b', 'B1'],
      ['a', 'A1'],
      ['a', 'A2'],
    ])
  })

  test('runs at most `concurrency` calls at once, starting the next as one finishes', async () => {
    const lookup = new ManualAsync<string, string>()
    const driver = await start((app) => {
      app
        .stream('in', kv)
        .pipe(mapAsync((value) => lookup.fn(value), { concurrency: 2 }))
        .to('out', kv)
    })
    const sent = driver.input('in', kv).sendAll(['a', 'b', 'c', 'd'].map((key) => ({ key, value: `${key}1` })))
    await lookup.started(2)
    // Every record was pushed before the first call could finish, yet only two calls run.
    expect(lookup.calls.map((call) => call.input)).toEqual(['a1', 'b1'])
    lookup.callFor('b1').resolve('B1')
    await lookup.started(3)
    expect(lookup.calls.map((call) => call.input)).toEqual(['a1', 'b1', 'c1'])
    lookup.callFor('c1').resolve('C1')
    await lookup.started(4)
    lookup.callFor('d1').resolve('D1')
    lookup.callFor('a1').resolve('A1')
    await sent
    expect(await driver.output('out', kv).readValues()).toEqual(['B1', 'C1', 'D1', 'A1'])
  })

  test('sends a rejected call to the processing-error handler and goes on with the others', async () => {
    const lookup = new ManualAsync<string, string>()
    const driver = await start(
      (app) => {
        app
          .stream('in', kv)
          .pipe(mapAsync((value) => lookup.fn(value)))
          .to('out', kv)
      },
      { onProcessingError: 'skip' },
    )
    const sent = driver.input('in', kv).sendAll([
      { key: 'a', value: 'a1' },
      { key: 'a', value: 'a2' },
      { key: 'a', value: 'a3' },
    ])
    await lookup.started(3)
    lookup.callFor('a3').resolve('A3')
    lookup.callFor('a2').reject(new Error('lookup failed'))
    lookup.callFor('a1').resolve('A1')
    await sent
    expect(await driver.output('out', kv).readValues()).toEqual(['A1', 'A3'])
    expect(driver.metrics().skipped).toBe(1)
  })

  test('stops the app with a ProcessingError naming mapAsync and the record (policy fail)', async () => {
    const driver = await start((app) => {
      app
        .stream('in', kv)
        .pipe(
          mapAsync(async (value): Promise<string> => {
            throw new Error(`no price for ${value}`)
          }),
        )
        .to('out', kv)
    })
    const failure = await driver.input('in', kv).send('tea', { key: 'k' }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({
      name: 'ProcessingError',
      code: 'TRIBUTARY_PROCESSING',
      operator: 'mapAsync',
      position: { topic: 'in', partition: 0, offset: 0 },
      message: expect.stringContaining('no price for tea'),
    })
  })
})
