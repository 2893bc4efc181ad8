import { describe, expect, test } from 'vitest'
import { ConfigError, logFromEnv } from '../../index.js'

describe('logFromEnv', () => {
  test('chooses the embedded log in the given directory when TRIBUTARY_KAFKA_BROKERS is unset or empty', () => {
    expect(logFromEnv({ dir: '/data' }, {}, {})).toMatchObject({ backend: 'embedded', location: '/data' })
    expect(logFromEnv({ dir: '/data' }, {}, { TRIBUTARY_KAFKA_BROKERS: ' ' })).toMatchObject({ backend: 'embedded' })
  })

  test('chooses Kafka at the brokers TRIBUTARY_KAFKA_BROKERS names', () => {
    expect(logFromEnv({ dir: '/data' }, {}, { TRIBUTARY_KAFKA_BROKERS: 'a:9092,b:9092' })).toMatchObject({ backend: 'kafka', location: 'a:9092,b:9092' })
  })

  test('a malformed broker list fails when the log opens, naming the option', async () => {
    await expect(logFromEnv({ dir: '/data' }, {}, { TRIBUTARY_KAFKA_BROKERS: 'no-port' }).open()).rejects.toThrow(ConfigError)
  })
})
