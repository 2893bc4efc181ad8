/**
 * kafkajs errors as the log's typed errors. kafkajs wraps a broker's error code (its `type`, such as
 * UNKNOWN_TOPIC_OR_PARTITION) in retry and aggregate errors; the root is found, and every type
 * that has a contract error becomes it. The rest become a LogError (`TRIBUTARY_KAFKA`) naming
 * the operation, topic and partition, with kafkajs's `retriable` flag and the original as `cause`.
 */
import { ConfigError, TributaryError } from '../../errors.js'
import {
  InvalidRecordError,
  InvalidTopicNameError,
  LogError,
  PolicyViolationError,
  ProducerFencedError,
  RecordTooLargeError,
  TopicExistsError,
  TransactionStateError,
  UnknownTopicOrPartitionError,
} from '../errors.js'

/** What was being done, for the message and for errors that carry a topic or an id. */
export interface KafkaErrorContext {
  readonly operation: string
  readonly topic?: string
  readonly partition?: number
  readonly transactionalId?: string
  readonly groupId?: string
  /** The encoded batch size, when a broker refuses a batch as too large. */
  readonly sizeBytes?: number
  readonly maxBytes?: number
}

/** The root of a kafkajs error: its broker error type (when there is one), message and partition. */
interface RootCause {
  readonly type: string | undefined
  readonly message: string
  readonly retriable: boolean
  readonly partition: number | undefined
}

/** Broker error codes newer than kafkajs 2.2.4's table, which it reports as KAFKAJS_UNKNOWN_ERROR_CODE. */
const NEWER_ERROR_CODES: Readonly<Record<string, string>> = {
  '89': 'THROTTLING_QUOTA_EXCEEDED',
  '90': 'PRODUCER_FENCED',
  '100': 'UNKNOWN_TOPIC_ID',
  '105': 'TRANSACTIONAL_ID_NOT_FOUND',
}

const FENCING_TYPES: ReadonlySet<string> = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_NOT_FOUND'])

/**
 * The broker error type at the root of a kafkajs error, or undefined for client-side errors.
 *
 * @example
 * kafkaErrorType(error) === 'REBALANCE_IN_PROGRESS'
 */
export function kafkaErrorType(error: unknown): string | undefined {
  return rootCause(error).type
}

/**
 * Whether `error` itself (not a cause it wraps) is kafkajs's error for a broker answer of `type`.
 *
 * @example
 * hasKafkaErrorType(error, 'CONCURRENT_TRANSACTIONS')
 */
export function hasKafkaErrorType(error: unknown, type: string): boolean {
  return isObject(error) && error.type === type
}

/**
 * The log error for a kafkajs failure. A TributaryError passes through unchanged.
 *
 * @example
 * try { await admin.createTopics(...) } catch (error) { throw toLogError(error, { operation: 'createTopic', topic }) }
 */
export function toLogError(error: unknown, context: KafkaErrorContext): Error {
  if (error instanceof TributaryError) return error
  const root = rootCause(error)
  const topic = context.topic ?? '(unknown topic)'
  const partition = context.partition ?? root.partition
  switch (root.type) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'UNKNOWN_TOPIC_ID':
      return new UnknownTopicOrPartitionError(topic, partition)
    case 'TOPIC_ALREADY_EXISTS':
      return new TopicExistsError(topic)
    case 'INVALID_TOPIC_EXCEPTION':
      return new InvalidTopicNameError(topic, root.message)
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
      return new RecordTooLargeError(topic, context.sizeBytes ?? Number.NaN, context.maxBytes ?? Number.NaN)
    case 'INVALID_RECORD':
    case 'CORRUPT_MESSAGE':
      return new InvalidRecordError(topic, `the broker refused a record: ${root.message}`)
    case 'POLICY_VIOLATION':
      return new PolicyViolationError(topic, root.message)
    case 'INVALID_TXN_STATE':
      return new TransactionStateError(`${context.operation} of transaction ${context.transactionalId ?? ''} refused: ${root.message}`)
    case 'INVALID_PARTITIONS':
      return new ConfigError('partitions', root.message)
    case 'INVALID_REPLICATION_FACTOR':
      return new ConfigError('replicationFactor', root.message)
    case 'INVALID_CONFIG':
      return new ConfigError('config', `${root.message} (topic ${topic})`)
  }
  if (root.type !== undefined && FENCING_TYPES.has(root.type) && context.transactionalId !== undefined) {
    return new ProducerFencedError(context.transactionalId)
  }
  return wrapped(error, root, context, partition)
}

function wrapped(error: unknown, root: RootCause, context: KafkaErrorContext, partition: number | undefined): LogError {
  const where =
    context.topic === undefined ? (context.groupId === undefined ? '' : ` (group ${context.groupId})`) : ` for ${context.topic}${partition === undefined ? '' : `-${partition}`}`
  const type = root.type === undefined ? '' : ` (${root.type})`
  return new LogError('TRIBUTARY_KAFKA', `${context.operation}${where} failed: ${root.message}${type}`, { retriable: root.retriable, cause: error })
}

function rootCause(error: unknown): RootCause {
  let current: unknown = error
  let partition: number | undefined
  for (let depth = 0; depth < 10 && isObject(current); depth++) {
    const type = stringField(current, 'type')
    if (type !== undefined) return { type: knownType(type, stringField(current, 'message') ?? ''), message: messageOf(current), retriable: current['retriable'] === true, partition }
    const errors = current['errors']
    const partitions = current['partitions']
    if (Array.isArray(errors) && errors.length > 0) current = errors[0]
    else if (Array.isArray(partitions) && partitions.length > 0 && isObject(partitions[0]) && isObject(partitions[0]['error'])) {
      const first = partitions[0]
      if (typeof first['partition'] === 'number') partition = first['partition']
      current = first['error']
    } else if (isObject(current['cause'])) current = current['cause']
    else break
  }
  const retriable = isObject(current) && current['retriable'] === true
  return { type: undefined, message: messageOf(current), retriable, partition }
}

function knownType(type: string, message: string): string {
  if (type !== 'KAFKAJS_UNKNOWN_ERROR_CODE') return type
  const code = /(-?\d+)$/.exec(message)?.[1]
  return (code === undefined ? undefined : NEWER_ERROR_CODES[code]) ?? type
}

function messageOf(value: unknown): string {
  if (isObject(value)) return stringField(value, 'message') ?? String(value)
  return String(value)
}

function stringField(value: Record<string, unknown>, field: string): string | undefined {
  const found = value[field]
  return typeof found === 'string' ? found : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
