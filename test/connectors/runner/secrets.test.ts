import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { defineSink, describeConnector, field, parseConfig, Secret, startConnector } from '../../../connectors/index.js'
import { captureLines, counterSource, readTopic, until, useLogs } from './fixtures.js'

const logs = useLogs()
const TOKEN = 's3cr3t-t0ken-value'
const ENV = 'TRIBUTARY_TEST_CONNECTOR_TOKEN'

afterEach(() => {
  delete process.env[ENV]
})

describe('secrets in connector configs', () => {
  it('come from an environment variable or a file, never from a literal', () => {
    const schema = { password: field.secret() }
    process.env[ENV] = TOKEN
    expect(parseConfig(schema, { password: { env: ENV } }, 'c').password.reveal()).toBe(TOKEN)
    const dir = mkdtempSync(path.join(tmpdir(), 'tributary-secret-'))
    try {
      writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`)
      expect(parseConfig(schema, { password: { file: path.join(dir, 'token') } }, 'c').password.reveal()).toBe(TOKEN)
      expect(() => parseConfig(schema, { password: { file: path.join(dir, 'missing') } }, 'c')).toThrow(/c\.password: cannot read the secret file .*missing: ENOENT/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect(() => parseConfig(schema, { password: TOKEN }, 'c')).toThrow(new ConfigError('c.password', 'is a secret and is not written in the config: give {"env": "VARIABLE"} or {"file": "/path/to/file"} that holds it'))
    expect(() => parseConfig(schema, { password: { env: 'TRIBUTARY_TEST_UNSET_VARIABLE' } }, 'c')).toThrow('c.password: environment variable TRIBUTARY_TEST_UNSET_VARIABLE is not set')
    expect(() => parseConfig(schema, {}, 'c')).toThrow('c.password: is required')
  })

  it('print as [redacted] however they are printed', () => {
    process.env[ENV] = TOKEN
    const secret = Secret.fromEnv(ENV)
    const config = { user: 'app', secret }
    for (const text of [String(secret), `${secret}`, JSON.stringify(config), inspect(config), inspect(secret)]) {
      expect(text).not.toContain(TOKEN)
      expect(text).toContain('[redacted]')
    }
  })

  it('never appear in log lines, metrics, errors, dead letters or describe output', async () => {
    process.env[ENV] = TOKEN
    const log = await logs.open()
    const { sink, lines } = captureLines()
    // The counter source logs its token (revealed) on purpose, as a careless connector would.
    const running = await startConnector(log, { name: 'count', connector: counterSource(), topic: 'numbers', config: { max: 5, token: { env: ENV } } }, { logSink: sink })
    await until(async () => (await readTopic(log, 'numbers')).length === 5)
    await running.stop()
    expect(lines.some((line) => line.includes('connecting with token [redacted]'))).toBe(true)
    expect(lines.join('\n')).not.toContain(TOKEN)
    expect(running.metrics().custom).toEqual({ 'logins-[redacted]': 1 })

    const described = JSON.stringify(describeConnector({ name: 'count', connector: counterSource(), topic: 'numbers', config: { max: 5, token: { env: ENV } } }))
    expect(described).toContain(`[secret from env:${ENV}]`)
    expect(described).not.toContain(TOKEN)

    // A sink whose client library quotes the secret in its error: the error that stops the connector, and the dead letter, are scrubbed.
    const leaky = defineSink({
      name: 'leaky',
      config: { password: field.secret() },
      start: (config, context) => ({
        async put(records) {
          await context.deadLetter(records[0]!, new Error(`login failed for postgres://app:${config.password.reveal()}@db`))
          throw new Error(`connection refused: postgres://app:${encodeURIComponent(config.password.reveal())}@db`)
        },
        async flush() {},
      }),
    })
    const failing = await startConnector(log, { name: 'leaky', connector: leaky, topics: ['numbers'], config: { password: { env: ENV } }, deadLetterTopic: 'dlq' }, { logSink: sink })
    const error = await failing.done.then(() => undefined, (reason: unknown) => reason as Error)
    expect(error?.message).toBe('connection refused: postgres://app:[redacted]@db')
    expect(error?.stack).not.toContain(TOKEN)
    await until(async () => (await readTopic(log, 'dlq')).length > 0)
    const dead = await readTopic(log, 'dlq')
    expect(dead[0]!.headers.find((h) => h.key === 'tributary.error.message')!.value.toString()).toBe('login failed for postgres://app:[redacted]@db')
    expect(lines.join('\n')).not.toContain(TOKEN)
  })
})
