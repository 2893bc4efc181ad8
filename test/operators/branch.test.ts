import { describe, expect, test } from 'vitest'
import { serdes } from '../../index.js'
import { branch } from '../../operators/index.js'
import { driverPerTest } from './helpers.js'

interface Log { level: 'error' | 'warn' | 'info' | 'debug'; text: string }
const logs = { value: serdes.json<Log>() }

describe('branch', () => {
  const start = driverPerTest()

  test('sends each record to the first branch whose predicate it passes', async () => {
    const driver = await start((app) => {
      const { errors, problems, rest } = branch(app.stream('logs', logs), {
        errors: (record) => record.value.level === 'error',
        // An error passes this too, but the first match wins.
        problems: (record) => record.value.level === 'error' || record.value.level === 'warn',
        rest: () => true,
      })
      errors.to('errors', logs)
      problems.to('problems', logs)
      rest.to('rest', logs)
    })
    await driver.input('logs', logs).sendAll(
      (['error', 'warn', 'info', 'error', 'debug'] as const).map((level, i) => ({ value: { level, text: `line ${i}` } })),
    )
    expect((await driver.output('errors', logs).readValues()).map((log) => log.text)).toEqual(['line 0', 'line 3'])
    expect((await driver.output('problems', logs).readValues()).map((log) => log.text)).toEqual(['line 1'])
    expect((await driver.output('rest', logs).readValues()).map((log) => log.text)).toEqual(['line 2', 'line 4'])
  })

  test('drops a record that passes no predicate', async () => {
    const driver = await start((app) => {
      const { errors, warnings } = app.stream('logs', logs).branch({
        errors: (record) => record.value.level === 'error',
        warnings: (record) => record.value.level === 'warn',
      })
      errors.to('errors', logs)
      warnings.to('warnings', logs)
    })
    await driver.input('logs', logs).sendAll([
      { value: { level: 'info', text: 'dropped' } },
      { value: { level: 'warn', text: 'kept' } },
    ])
    expect(await driver.output('errors', logs).readValues()).toEqual([])
    expect((await driver.output('warnings', logs).readValues()).map((log) => log.text)).toEqual(['kept'])
    expect(driver.metrics()).toMatchObject({ recordsIn: 2, recordsOut: 1, skipped: 0 })
  })

  test('gives branches that are shaped on separately', async () => {
    const driver = await start((app) => {
      const { short, long } = app.stream('words', { value: serdes.string() }).branch({
        short: (record) => record.value.length <= 3,
        long: () => true,
      })
      short.to('short', { value: serdes.string() })
      long.branch({ shouting: (record) => record.value === record.value.toUpperCase() }).shouting.to('shouting', { value: serdes.string() })
    })
    await driver.input('words', { value: serdes.string() }).sendAll(['HI', 'HELLO', 'hello', 'yo'].map((value) => ({ value })))
    expect(await driver.output('short', { value: serdes.string() }).readValues()).toEqual(['HI', 'yo'])
    expect(await driver.output('shouting', { value: serdes.string() }).readValues()).toEqual(['HELLO'])
  })
})
