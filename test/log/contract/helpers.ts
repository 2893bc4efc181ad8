/**
 * Small helpers for the log contract suite. They only use the `Log` contract, so they work
 * on every backend, and they wait on conditions (a poll with a timeout, in a bounded loop),
 * never on sleeps.
 */
import { randomBytes } from 'node:crypto'
import type {
  Consumer,
  IsolationLevel,
  Log,
  LogRecord,
  Producer,
  ProducerRecord,
  RecordMetadata,
  TopicConfig,
  TopicPartition,
} from '../../../core/log/types.js'
import type { ContractContext } from './context.js'

/** How long one poll inside a waiting loop may wait. */
export const POLL_TIMEOUT_MS = 250
/** Upper bound on polls in a waiting loop: generous, since a Kafka rebalance takes seconds. */
export const MAX_POLLS = 200

/** A name no other test (or earlier run against the same broker) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}

/** Creates a topic with a unique name and returns the name. */
export async function makeTopic(log: Log, config: Partial<TopicConfig> = {}): Promise<string> {
  const topic = uniqueName('contract')
  await log.createTopic(topic, { partitions: 1, ...config })
  return topic
}

export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}

export function text(buffer: Buffer | null): string | null {
  return buffer === null ? null : buffer.toString('utf8')
}

export function valuesOf(records: readonly LogRecord[]): (string | null)[] {
  return records.map((record) => text(record.value))
}

export function offsetsOf(records: readonly LogRecord[]): number[] {
  return records.map((record) => record.offset)
}

/** Sends `count` records with values `${prefix}0`, `${prefix}1`, … to one partition, in one send. */
export async function produceN(
  producer: Producer,
  topic: string,
  count: number,
  options: { partition?: number; prefix?: string; timestamp?: (index: number) => number } = {},
): Promise<RecordMetadata[]> {
  const partition = options.partition ?? 0
  const prefix = options.prefix ?? 'v'
  const records: ProducerRecord[] = []
  for (let index = 0; index < count; index++) {
    const timestamp = options.timestamp?.(index)
    records.push({
      topic,
      partition,
      value: bytes(`${prefix}${index}`),
      ...(timestamp === undefined ? {} : { timestamp }),
    })
  }
  return producer.send(records)
}

/** A consumer (no group) assigned to partition 0 of `topic`, closed after the test. */
export async function consumerOfPartition0(context: ContractContext, topic: string, isolation?: IsolationLevel): Promise<Consumer> {
  const consumer = context.consumer(isolation === undefined ? {} : { isolation })
  await consumer.assign([{ topic, partition: 0 }])
  return consumer
}

/**
 * Polls until at least `count` records have arrived (or the loop gives up) and returns all
 * records polled, in arrival order. The caller asserts on what came back.
 */
export async function drain(consumer: Consumer, count: number, maxPolls = MAX_POLLS): Promise<LogRecord[]> {
  const records: LogRecord[] = []
  for (let polls = 0; polls < maxPolls && records.length < count; polls++) {
    records.push(...(await consumer.poll({ timeoutMs: POLL_TIMEOUT_MS })))
  }
  return records
}

/** Polls until a record with this value arrives; returns every record polled up to and including it. */
export async function drainUntilValue(consumer: Consumer, value: string, maxPolls = MAX_POLLS): Promise<LogRecord[]> {
  const records: LogRecord[] = []
  for (let polls = 0; polls < maxPolls; polls++) {
    records.push(...(await consumer.poll({ timeoutMs: POLL_TIMEOUT_MS })))
    if (records.some((record) => text(record.value) === value)) return records
  }
  return records
}

/**
 * Polls every consumer (concurrently, as separate processes would) until `done` holds;
 * returns the records each one received meanwhile. Rebalances are never assumed synchronous.
 */
export async function pollUntil(
  consumers: readonly Consumer[],
  done: () => boolean,
  maxPolls = MAX_POLLS,
): Promise<LogRecord[][]> {
  const received = consumers.map((): LogRecord[] => [])
  for (let polls = 0; polls < maxPolls && !done(); polls++) {
    const batches = await Promise.all(consumers.map((consumer) => consumer.poll({ timeoutMs: POLL_TIMEOUT_MS })))
    batches.forEach((batch, index) => received[index]?.push(...batch))
  }
  return received
}

/** The partitions of `topic` a consumer owns, sorted. */
export function ownedPartitions(consumer: Consumer, topic: string): number[] {
  return consumer
    .assignment()
    .filter((tp) => tp.topic === topic)
    .map((tp) => tp.partition)
    .sort((a, b) => a - b)
}

/** True when each consumer owns at least one partition of `topic`, no two share one, and all are owned. */
export function partitionsSplit(consumers: readonly Consumer[], topic: string, partitionCount: number): boolean {
  const owned = consumers.map((consumer) => ownedPartitions(consumer, topic))
  const all = owned.flat()
  return (
    owned.every((partitions) => partitions.length > 0) &&
    new Set(all).size === all.length &&
    all.length === partitionCount
  )
}

export function partitionsOf(topic: string, partitionCount: number): TopicPartition[] {
  return Array.from({ length: partitionCount }, (_, partition) => ({ topic, partition }))
}

/** Runs `action` and returns what it threw or rejected with (undefined when it succeeded). */
export async function errorOf(action: () => unknown): Promise<unknown> {
  try {
    await action()
    return undefined
  } catch (error) {
    return error
  }
}

/** Whether offsets strictly increase (what a reader of one partition must see). */
export function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((value, index) => index === 0 || value > (values[index - 1] ?? Number.NEGATIVE_INFINITY))
}
