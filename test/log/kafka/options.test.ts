import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { resolveKafkaLogOptions } from '../../../core/log/kafka/options.js'

function fieldOf(action: () => unknown): string | undefined {
  try {
    action()
    return undefined
  } catch (error) {
    return error instanceof ConfigError ? error.field : `not a ConfigError: ${String(error)}`
  }
}

describe('resolveKafkaLogOptions', () => {
  it("fills in Java's client defaults for what is not given", () => {
    expect(resolveKafkaLogOptions({ brokers: ['localhost:9092'] })).toMatchObject({
      brokers: ['localhost:9092'],
      clientId: 'tributary',
      heartbeatIntervalMs: 3000,
      fetchMaxWaitMs: 500,
      sessionTimeoutMs: 45_000,
      metadataMaxAgeMs: 300_000,
      clientLogLevel: 'nothing',
      replicationFactor: undefined,
    })
  })

  it('splits a comma-separated broker list', () => {
    expect(resolveKafkaLogOptions({ brokers: 'a:9092, b:9093,[::1]:9094' }).brokers).toEqual(['a:9092', 'b:9093', '[::1]:9094'])
  })

  it.each([
    ['no broker', { brokers: [] }, 'brokers'],
    ['a broker without a port', { brokers: ['localhost'] }, 'brokers'],
    ['an empty clientId', { brokers: 'a:1', clientId: '' }, 'clientId'],
    ['a replication factor of 0', { brokers: 'a:1', replicationFactor: 0 }, 'replicationFactor'],
    ['min.insync.replicas of 0', { brokers: 'a:1', minInsyncReplicas: 0 }, 'minInsyncReplicas'],
    ['a fractional timeout', { brokers: 'a:1', requestTimeoutMs: 1.5 }, 'requestTimeoutMs'],
    ['a session timeout of 0', { brokers: 'a:1', sessionTimeoutMs: 0 }, 'sessionTimeoutMs'],
    ['negative retries', { brokers: 'a:1', retry: { retries: -1 } }, 'retry.retries'],
    ['an unknown log level', { brokers: 'a:1', clientLogLevel: 'loud' as 'info' }, 'clientLogLevel'],
    ['an unknown SASL mechanism', { brokers: 'a:1', sasl: { mechanism: 'kerberos' as 'plain', username: 'u', password: 'p' }, ssl: true }, 'sasl.mechanism'],
  ])('refuses %s with a ConfigError naming the field', (_label, options, field) => {
    expect(fieldOf(() => resolveKafkaLogOptions(options))).toBe(field)
  })

  it('never puts a SASL password in an error message', () => {
    try {
      resolveKafkaLogOptions({ brokers: 'a:1', ssl: true, sasl: { mechanism: 'plain', username: '', password: 'hunter2' } })
      expect.unreachable()
    } catch (error) {
      expect(String(error)).not.toContain('hunter2')
    }
  })
})
