import { describe, expect, test } from 'vitest'
import { serdes, TestDriver } from '../../index.js'
import { wordcount } from '../../examples/wordcount/topology.js'

describe('the wordcount example', () => {
  test('splits lines into lower-case words keyed by the word', async () => {
    const driver = await TestDriver.start((app) => wordcount(app))
    await driver.input('lines', { value: serdes.string() }).send('Hello world, hello!')
    const words = await driver.output('words', { key: serdes.string(), value: serdes.string() }).readKeyValues()
    expect(words).toEqual([
      ['hello', 'Hello'],
      ['world', 'world'],
      ['hello', 'hello'],
    ])
    await driver.close()
  })
})
