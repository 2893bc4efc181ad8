import { describe, expect, expectTypeOf, test } from 'vitest'
import { serdes, type Stream } from '../../index.js'
import { filter, mapValues } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

type Shape = { kind: 'circle'; radius: number } | { kind: 'square'; side: number }
const isCircle = (shape: Shape): shape is Extract<Shape, { kind: 'circle' }> => shape.kind === 'circle'

describe('filter', () => {
  const start = driverPerTest()

  test('keeps only the records whose value passes the predicate', async () => {
    const driver = await start((app) => {
      app.stream('words', { value: serdes.string() }).pipe(filter((word) => word.length > 2)).to('long-words', { value: serdes.string() })
    })
    await driver.input('words', { value: serdes.string() }).sendAll(['a', 'tree', 'of', 'life'].map((value) => ({ value })))
    expect(await driver.output('long-words', { value: serdes.string() }).readValues()).toEqual(['tree', 'life'])
  })

  test('can decide by the whole record (its key here)', async () => {
    const driver = await start((app) => {
      app
        .stream('in', { key: serdes.string(), value: serdes.string() })
        .pipe(filter((_value, record) => record.key.startsWith('keep')))
        .to('out', { key: serdes.string(), value: serdes.string() })
    })
    await driver.input('in', { key: serdes.string(), value: serdes.string() }).sendAll([
      { key: 'keep-1', value: 'a' },
      { key: 'drop-1', value: 'b' },
      { key: 'keep-2', value: 'c' },
    ])
    expect(await driver.output('out', { key: serdes.string(), value: serdes.string() }).readKeyValues()).toEqual([
      ['keep-1', 'a'],
      ['keep-2', 'c'],
    ])
  })

  test('narrows the value type with a type-guard predicate', async () => {
    const driver = await start((app) => {
      const shapes = app.stream('shapes', { key: serdes.nullable(serdes.string()), value: serdes.json<Shape>() })
      const narrowed = shapes.pipe(filter(isCircle))
      expectTypeOf(narrowed).toEqualTypeOf<Stream<string | null, { kind: 'circle'; radius: number }>>()
      narrowed.pipe(mapValues((circle) => circle.radius)).to('radii', { value: serdes.float64() })
    })
    await driver.input('shapes', { value: serdes.json<Shape>() }).sendAll([
      { value: { kind: 'circle', radius: 1 } },
      { value: { kind: 'square', side: 2 } },
      { value: { kind: 'circle', radius: 3 } },
    ])
    expect(await driver.output('radii', { value: serdes.float64() }).readValues()).toEqual([1, 3])
  })
})
