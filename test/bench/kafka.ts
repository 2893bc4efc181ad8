/**
 * What the Kafka benchmarks share: a one-broker cluster of their own (started by `startKafka`,
 * stopped afterwards), and the plain-kafkajs baselines they measure the Kafka backend against: a
 * producer sending batches as Tributary's does (idempotent, acks from all replicas, one request in
 * flight), a consumer reading with `eachBatch`, and the two together copying a topic.
 *
 * @example
 * await withKafka(async (bootstrap) => {
 *   await createTopics(bootstrap, ['in'])
 *   const produced = await rawProduce(bootstrap, { topic: 'in', records: 100_000, kind: lineRecords })
 *   const consumed = await rawConsume(bootstrap, { topic: 'in', records: 100_000, groupId: 'raw' })
 * })
 */
import kafkajs from 'kafkajs'
import { startKafka } from '../kafka/broker.js'
import type { RecordKind } from './pipeline-data.js'
import { elapsedMs } from './report.js'

const clientId = 'tributary-bench'
/** Records per `send` of the raw producer (the same as the pipeline prefill's). */
export const rawBatchRecords = 1_000
/** A raw consume that makes no progress for this long is stuck. */
const stuckAfterMs = 30_000

/** Runs `body` with the bootstrap address of a fresh one-broker cluster, stopped afterwards. */
export async function withKafka<T>(body: (bootstrap: string) => Promise<T>): Promise<T> {
  const cluster = await startKafka({ brokers: 1 })
  try {
    return await body(cluster.bootstrap)
  } finally {
    await cluster.stop()
  }
}

function client(bootstrap: string): kafkajs.Kafka {
  return new kafkajs.Kafka({ clientId, brokers: bootstrap.split(','), logLevel: kafkajs.logLevel.NOTHING })
}

/** Creates one-partition topics with plain kafkajs (the broker never creates them on its own here). */
export async function createTopics(bootstrap: string, topics: readonly string[]): Promise<void> {
  const admin = client(bootstrap).admin()
  await admin.connect()
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) })
  } finally {
    await admin.disconnect()
  }
}

/**
 * Sends records 0..records-1 of `kind` to partition 0 of `topic` with a plain kafkajs producer,
 * `rawBatchRecords` per awaited `send`, idempotent with acks from all replicas, as Tributary's
 * producer. Returns the seconds the sends took (connecting is not timed).
 */
export async function rawProduce<V extends NonNullable<unknown>>(bootstrap: string, plan: { topic: string; records: number; kind: RecordKind<V> }): Promise<{ seconds: number }> {
  const producer = client(bootstrap).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    const startNs = process.hrtime.bigint()
    for (let first = 0; first < plan.records; first += rawBatchRecords) {
      const messages: kafkajs.Message[] = []
      for (let sequence = first; sequence < Math.min(plan.records, first + rawBatchRecords); sequence++) messages.push({ partition: 0, value: plan.kind.valueBytes(sequence) })
      await producer.send({ topic: plan.topic, acks: -1, messages })
    }
    return { seconds: elapsedMs(startNs) / 1000 }
  } finally {
    await producer.disconnect()
  }
}

/**
 * The consume baseline: a plain kafkajs consumer in a group of its own reads `records` records of
 * `topic` from the beginning with `eachBatch`, touching each message's value as a reader would.
 */
export async function rawConsume(bootstrap: string, plan: { topic: string; records: number; groupId: string }): Promise<{ seconds: number; batches: number; bytes: number }> {
  let bytes = 0
  const run = await consumeEachBatch(bootstrap, plan, async (messages) => {
    for (const message of messages) bytes += message.value?.length ?? 0
  })
  return { ...run, bytes }
}

/**
 * The copy baseline: the consume baseline, with each fetched batch put through the same serde and
 * user functions as the app and its outputs sent to `output` (awaited, before kafkajs fetches
 * again) by a producer as `rawProduce`'s: the pipeline in plain kafkajs, without its
 * partitioning, buffering and commits.
 */
export async function rawCopy<V extends NonNullable<unknown>>(bootstrap: string, plan: { input: string; output: string; records: number; kind: RecordKind<V>; groupId: string }): Promise<{ seconds: number }> {
  const { kind } = plan
  const context = { topic: plan.input, isKey: false }
  const producer = client(bootstrap).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    return await consumeEachBatch(bootstrap, { topic: plan.input, records: plan.records, groupId: plan.groupId }, async (messages) => {
      const outputs: kafkajs.Message[] = []
      for (const message of messages) {
        const value = kind.serde.deserialize(message.value!, context)
        if (kind.keep(value)) outputs.push({ partition: 0, key: message.key, value: kind.serde.serialize(kind.transform(value), context), timestamp: message.timestamp })
      }
      if (outputs.length > 0) await producer.send({ topic: plan.output, acks: -1, messages: outputs })
    })
  } finally {
    await producer.disconnect()
  }
}

/**
 * Reads `records` records of `topic` from the beginning in a group of its own, handing each
 * fetched batch to `handle`; timed from `run()` until the last batch is handled (the group join
 * counts, as an app's does).
 */
async function consumeEachBatch(bootstrap: string, plan: { topic: string; records: number; groupId: string }, handle: (messages: kafkajs.KafkaMessage[]) => Promise<void>): Promise<{ seconds: number; batches: number }> {
  const consumer = client(bootstrap).consumer({ groupId: plan.groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false, readUncommitted: true })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [plan.topic], fromBeginning: true })
    let taken = 0
    let batches = 0
    let lastProgressNs = process.hrtime.bigint()
    let finished!: () => void
    let failed!: (error: unknown) => void
    const done = new Promise<void>((resolve, reject) => {
      finished = resolve
      failed = reject
    })
    const watchdog = setInterval(() => {
      if (elapsedMs(lastProgressNs) > stuckAfterMs) failed(new Error(`raw consume stuck at ${taken} of ${plan.records} records`))
    }, 1_000)
    const startNs = process.hrtime.bigint()
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        await handle(batch.messages)
        taken += batch.messages.length
        batches++
        lastProgressNs = process.hrtime.bigint()
        if (taken >= plan.records) finished()
      },
    })
    try {
      await done
    } finally {
      clearInterval(watchdog)
    }
    return { seconds: elapsedMs(startNs) / 1000, batches }
  } finally {
    await consumer.disconnect()
  }
}
