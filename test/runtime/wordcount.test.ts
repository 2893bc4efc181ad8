import { describe, expect, test } from 'vitest'
import { serdes, TestDriver } from '../../index.js'
import { wordcount } from '../../examples/wordcount/topology.js'

describe('the wordcount example', () => {
  test('counts words by their lower-case form and writes each changed count', async () => {
    const driver = await TestDriver.start((app) => wordcount(app), { cacheMaxBytes: 0 })
    await driver.input('lines', { value: serdes.string() }).send('Hello world, hello!')
    const counts = await driver.output('word-counts', { key: serdes.string(), value: serdes.float64() }).readKeyValues()
    expect(counts).toEqual([
      ['hello', 1],
      ['world', 1],
      ['hello', 2],
    ])
    expect(await driver.store<string, number>('word-counts').get('hello')).toBe(2)
    await driver.close()
  })

  test('with the cache on, a commit writes each changed count once', async () => {
    const driver = await TestDriver.start((app) => wordcount(app))
    await driver.input('lines', { value: serdes.string() }).send('Hello world, hello!')
    const counts = await driver.output('word-counts', { key: serdes.string(), value: serdes.float64() }).readKeyValues()
    expect(counts).toEqual([
      ['hello', 2],
      ['world', 1],
    ])
    await driver.close()
  })
})
