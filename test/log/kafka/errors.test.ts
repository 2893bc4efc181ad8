import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import {
  InvalidRecordError,
  LogError,
  PolicyViolationError,
  ProducerFencedError,
  RecordTooLargeError,
  TopicExistsError,
  UnknownTopicOrPartitionError,
} from '../../../core/log/errors.js'
import { kafkaErrorType, toLogError } from '../../../core/log/kafka/errors.js'

/** An error shaped as kafkajs makes them from a broker error code (KafkaJSProtocolError). */
function protocolError(type: string, message = `broker said ${type}`, retriable = false): Error {
  return Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type, code: 0, retriable })
}

/** kafkajs's wrapper once its retries are spent (KafkaJSNumberOfRetriesExceeded). */
function retriesExceeded(cause: Error): Error {
  return Object.assign(new Error(cause.message, { cause }), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false })
}

describe('toLogError', () => {
  it.each([
    ['UNKNOWN_TOPIC_OR_PARTITION', UnknownTopicOrPartitionError],
    ['TOPIC_ALREADY_EXISTS', TopicExistsError],
    ['MESSAGE_TOO_LARGE', RecordTooLargeError],
    ['INVALID_RECORD', InvalidRecordError],
    ['POLICY_VIOLATION', PolicyViolationError],
    ['INVALID_REPLICATION_FACTOR', ConfigError],
  ])('turns %s into its contract error', (type, expected) => {
    expect(toLogError(protocolError(type), { operation: 'send', topic: 'orders', partition: 2 })).toBeInstanceOf(expected)
  })

  it('finds the broker error under retry and aggregate wrappers', () => {
    const wrapped = retriesExceeded(Object.assign(new Error('Topic creation errors'), { name: 'KafkaJSAggregateError', errors: [protocolError('TOPIC_ALREADY_EXISTS')] }))
    expect(kafkaErrorType(wrapped)).toBe('TOPIC_ALREADY_EXISTS')
    expect(toLogError(wrapped, { operation: 'createTopic', topic: 'orders' })).toBeInstanceOf(TopicExistsError)
  })

  it('names the topic and partition of an unknown partition', () => {
    expect(toLogError(protocolError('UNKNOWN_TOPIC_OR_PARTITION'), { operation: 'send', topic: 'orders', partition: 7 })).toMatchObject({ topic: 'orders', partition: 7 })
  })

  it.each(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'])('turns %s of a transactional producer into ProducerFencedError', (type) => {
    expect(toLogError(protocolError(type), { operation: 'commit', transactionalId: 'app-0_1' })).toMatchObject({
      code: 'TRIBUTARY_PRODUCER_FENCED',
      transactionalId: 'app-0_1',
    })
  })

  it('recognises PRODUCER_FENCED, which kafkajs 2.2.4 only knows as error code 90', () => {
    const fenced = protocolError('KAFKAJS_UNKNOWN_ERROR_CODE', 'Unknown error code 90')
    expect(toLogError(fenced, { operation: 'send', transactionalId: 'app-0_1' })).toBeInstanceOf(ProducerFencedError)
  })

  it('wraps any other failure in a LogError that names the operation and partition, keeping retriable and cause', () => {
    const original = protocolError('REBALANCE_IN_PROGRESS', 'The group is rebalancing', true)
    const error = toLogError(original, { operation: 'commit', topic: 'orders', partition: 1 })
    expect(error).toBeInstanceOf(LogError)
    expect(error).toMatchObject({ code: 'TRIBUTARY_KAFKA', retriable: true, cause: original })
    expect(error.message).toContain('commit for orders-1 failed: The group is rebalancing (REBALANCE_IN_PROGRESS)')
  })

  it('passes Tributary errors through unchanged', () => {
    const error = new UnknownTopicOrPartitionError('orders')
    expect(toLogError(error, { operation: 'send' })).toBe(error)
  })
})
