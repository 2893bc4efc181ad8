import { describe, expect, test } from 'vitest'
import { App, ConfigError, embedded, openEmbeddedLog, serdes, TopologyError, type AppOptions } from '../../index.js'
import { repartition, selectKey } from '../../operators/index.js'
import { tempDirPerTest } from './helpers.js'

describe('starting an app whose source topic is missing', () => {
  const tempDir = tempDirPerTest('start')

  test('fails with a TopologyError naming the missing topic (and only it)', async () => {
    const dir = tempDir()
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    try {
      await log.createTopic('present', { partitions: 1 })
      const app = new App({ id: 'reader', log, handleSignals: false })
      app.stream(['present', 'absent'], { value: serdes.string() }).to('out', { value: serdes.string() })
      const failure = await app.start().then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failure).toBeInstanceOf(TopologyError)
      expect(failure).toMatchObject({ code: 'TRIBUTARY_TOPOLOGY' })
      const message = (failure as TopologyError).message
      expect(message).toContain('absent')
      expect(message).not.toContain('present')
    } finally {
      await log.close()
    }
  })

  test('does not ask for the repartition topics it creates itself', async () => {
    const dir = tempDir()
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    try {
      await log.createTopic('in', { partitions: 2 })
      await log.createTopic('out', { partitions: 1 })
      const app = new App({ id: 'keyer', log, handleSignals: false })
      app
        .stream('in', { value: serdes.string() })
        .pipe(selectKey((value) => value), repartition({ name: 'by-value' }))
        .to('out', { key: serdes.json<string>(), value: serdes.json<string>() })
      await app.start()
      await app.stop()
      expect((await log.describeTopic('keyer-by-value-repartition')).partitions).toHaveLength(2)
    } finally {
      await log.close()
    }
  })

  test('closes the embedded log it opened, so its data directory is free again', async () => {
    const dir = tempDir()
    const app = new App({ id: 'reader', log: embedded({ dir, durability: 'none' }), handleSignals: false })
    app.stream('absent', { value: serdes.string() }).to('out', { value: serdes.string() })
    await expect(app.start()).rejects.toThrow(TopologyError)
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    await log.close()
  })
})

describe('bad options', () => {
  const tempDir = tempDirPerTest('options')
  // Never opened: these apps are not started.
  const log = embedded({ dir: 'never-opened' })
  const cases: readonly [field: string, options: Partial<Record<keyof AppOptions, unknown>>][] = [
    ['id', { id: 'has spaces' }],
    ['id', { id: '' }],
    ['processing', { processing: 'exactly-once' }],
    ['commitIntervalMs', { commitIntervalMs: 0 }],
    ['commitIntervalMs', { commitIntervalMs: 1.5 }],
    ['maxPollRecords', { maxPollRecords: -1 }],
    ['maxInFlight', { maxInFlight: Number.NaN }],
    ['onDeserializationError', { onDeserializationError: 'ignore' }],
    ['onProcessingError', { onProcessingError: { deadLetter: '' } }],
    ['maxTaskIdle', { maxTaskIdle: 'soon' }],
    ['taskTimeout', { taskTimeout: -1 }],
  ]

  test.each(cases)('fail with a ConfigError naming the field: %s %j', (field, bad) => {
    const options = { id: 'good-id', log, handleSignals: false, ...bad } as AppOptions
    let failure: unknown
    try {
      new App(options)
    } catch (error) {
      failure = error
    }
    expect(failure).toBeInstanceOf(ConfigError)
    expect(failure).toMatchObject({ code: 'TRIBUTARY_CONFIG', field })
    expect((failure as ConfigError).message.startsWith(`${field}: `)).toBe(true)
  })

  test('a stream of no topics is a ConfigError naming topics', () => {
    const app = new App({ id: 'good-id', log, handleSignals: false })
    expect(() => app.stream([])).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'topics' }))
  })

  test('declaring a stream after start is a ConfigError naming app', async () => {
    const dir = tempDir()
    const app = new App({ id: 'good-id', log: embedded({ dir, durability: 'none' }), handleSignals: false })
    await app.start()
    try {
      expect(() => app.stream('late')).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'app' }))
    } finally {
      await app.stop()
    }
  })
})
