/**
 * The real-Kafka test cluster, driven with kafkajs (the client the Kafka backend builds on):
 * topics, an idempotent producer, a consumer group, transactions with `sendOffsets` read with
 * read_committed, replication over three brokers, a broker crash and restart.
 * Runs when `kafkaTestsWanted()` (CI, or TRIBUTARY_KAFKA=1); in CI a broker that cannot start fails.
 */
import fs from 'node:fs'
import { type Admin, ConfigResourceTypes, type ITopicConfig, Kafka, Partitioners, type Producer, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { type KafkaCluster, kafkaTestsWanted, startKafka } from './broker.js'

/** The first start may fetch the broker jars with Maven. */
const START_TIMEOUT_MS = 180_000
const TEST_TIMEOUT_MS = 60_000

let nameCounter = 0
function uniqueName(prefix: string): string {
  nameCounter += 1
  return `${prefix}-${process.pid}-${nameCounter}`
}

function client(cluster: KafkaCluster): Kafka {
  return new Kafka({ clientId: 'tributary-test', brokers: [...cluster.brokers], logLevel: logLevel.NOTHING })
}

function producerOf(kafka: Kafka, transactionalId?: string): Producer {
  return kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(transactionalId === undefined ? {} : { transactionalId, maxInFlightRequests: 1 }),
  })
}

interface ConsumedRecord {
  readonly partition: number
  readonly key: string
  readonly value: string
}

/**
 * Consumes `topics` in group `groupId` until `done` says the records so far suffice. A crash
 * that kafkajs restarts from (a coordinator still loading, say) is not a failure.
 */
async function consumeUntil(
  kafka: Kafka,
  options: { groupId: string; topics: string[]; readUncommitted?: boolean },
  done: (records: ConsumedRecord[]) => boolean,
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: options.groupId, readUncommitted: options.readUncommitted ?? false })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: options.topics, fromBeginning: true })
    const records: ConsumedRecord[] = []
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error)
      })
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            records.push({ partition, key: text(message.key), value: text(message.value) })
            if (done(records)) resolve()
          },
        })
        .catch(reject)
    })
    return records
  } finally {
    await consumer.disconnect()
  }
}

function text(buffer: Buffer | null): string {
  return buffer?.toString('utf8') ?? ''
}

function valuesOf(records: readonly ConsumedRecord[]): string[] {
  return records.map((record) => record.value)
}

/**
 * Creates topics and waits until every partition has a leader. Not kafkajs's `waitForLeaders`:
 * a KRaft broker learns of a new topic a moment after CreateTopics returns, and answers
 * UNKNOWN_TOPIC_OR_PARTITION meanwhile, which kafkajs's wait treats as fatal.
 */
async function createTopics(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false })
  await vi.waitFor(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) })
      const led = metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      if (!led) throw new Error(`no leader yet for some partition of ${topics.map((t) => t.topic).join(', ')}`)
    },
    { timeout: 15_000, interval: 50 },
  )
}

async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<string[]> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
  return (offsets?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.skipIf(!kafkaTestsWanted())('a single Kafka broker', () => {
  let cluster: KafkaCluster
  let kafka: Kafka
  let admin: Admin

  beforeAll(async () => {
    cluster = await startKafka({ brokers: 1 })
    kafka = client(cluster)
    admin = kafka.admin()
    await admin.connect()
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await admin?.disconnect()
    await cluster?.stop()
  }, TEST_TIMEOUT_MS)

  test('listens on one loopback port', () => {
    expect(cluster.brokers).toHaveLength(1)
    expect(cluster.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  test('creates a topic with three partitions', async () => {
    const topic = uniqueName('three')
    await createTopics(admin, [{ topic, numPartitions: 3 }])
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2])
  })

  test('creates a compacted topic', async () => {
    const topic = uniqueName('compacted')
    await createTopics(admin, [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }])
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    })
    expect(resources[0]?.configEntries[0]?.configValue).toBe('compact')
  })

  test('does not create topics on first use', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } })
    await producer.connect()
    try {
      const sent = producer.send({ topic: uniqueName('absent'), messages: [{ value: 'x' }] })
      await expect(sent).rejects.toThrow()
    } finally {
      await producer.disconnect()
    }
  })

  test('a consumer group reads back what an idempotent producer sent, each key on one partition', async () => {
    const topic = uniqueName('orders')
    const groupId = uniqueName('group')
    await createTopics(admin, [{ topic, numPartitions: 3 }])
    const producer = producerOf(kafka)
    await producer.connect()
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `key-${i % 5}`, value: `value-${i}` }))
    await producer.send({ topic, acks: -1, messages: sent })
    await producer.disconnect()

    const records = await consumeUntil(kafka, { groupId, topics: [topic] }, (r) => r.length === sent.length)

    expect(valuesOf(records).sort()).toEqual(sent.map((m) => m.value).sort())
    const partitionsOfKey = new Map<string, Set<number>>()
    for (const { key, partition } of records) {
      partitionsOfKey.set(key, (partitionsOfKey.get(key) ?? new Set()).add(partition))
    }
    expect([...partitionsOfKey.values()].every((partitions) => partitions.size === 1)).toBe(true)
    const offsets = await committedOffsets(admin, groupId, topic)
    expect(offsets.reduce((sum, offset) => sum + Number(offset), 0)).toBe(sent.length)
  })

  test('read_committed sees the records of committed transactions and not those of aborted ones', async () => {
    const topic = uniqueName('txn-records')
    await createTopics(admin, [{ topic, numPartitions: 1 }])
    const producer = producerOf(kafka, uniqueName('txn'))
    await producer.connect()
    for (const [values, outcome] of [[['a', 'b'], 'commit'], [['x'], 'abort'], [['c'], 'commit']] as const) {
      const transaction = await producer.transaction()
      await transaction.send({ topic, messages: values.map((value) => ({ value })) })
      await (outcome === 'commit' ? transaction.commit() : transaction.abort())
    }
    await producer.disconnect()

    // One partition: once 'c' arrives, an aborted record would have arrived before it.
    const untilC = (records: ConsumedRecord[]) => records.some((record) => record.value === 'c')
    const committed = await consumeUntil(kafka, { groupId: uniqueName('reader'), topics: [topic] }, untilC)
    expect(valuesOf(committed)).toEqual(['a', 'b', 'c'])
    const everything = await consumeUntil(
      kafka,
      { groupId: uniqueName('reader'), topics: [topic], readUncommitted: true },
      untilC,
    )
    expect(valuesOf(everything)).toEqual(['a', 'b', 'x', 'c'])
  })

  test('offsets sent in a transaction are committed with it and dropped with an abort', async () => {
    const input = uniqueName('txn-input')
    const output = uniqueName('txn-output')
    const groupId = uniqueName('processor')
    await createTopics(admin, [{ topic: input }, { topic: output }])
    const producer = producerOf(kafka, uniqueName('txn'))
    await producer.connect()
    const offsetsOf = (offset: string) => ({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset }] }] })

    const committed = await producer.transaction()
    await committed.send({ topic: output, messages: [{ value: 'processed-0..4' }] })
    await committed.sendOffsets(offsetsOf('5'))
    await committed.commit()
    // EndTxn returns before the commit markers are written, and kafkajs's OffsetFetch (v4) has
    // no require_stable: the offsets show once the markers land.
    await expect.poll(() => committedOffsets(admin, groupId, input), { timeout: 10_000, interval: 50 }).toEqual(['5'])

    const aborted = await producer.transaction()
    await aborted.send({ topic: output, messages: [{ value: 'processed-5..8' }] })
    await aborted.sendOffsets(offsetsOf('9'))
    await aborted.abort()
    // The next transaction of the same producer starts only once the abort markers are written.
    const next = await producer.transaction()
    await next.send({ topic: output, messages: [{ value: 'unrelated' }] })
    await next.commit()
    await producer.disconnect()
    expect(await committedOffsets(admin, groupId, input)).toEqual(['5'])
  })

  test('stop ends the broker process and removes the folder it made', async () => {
    const pid = Number(fs.readFileSync(`${cluster.dir}/node-0/pid`, 'utf8'))
    expect(isAlive(pid)).toBe(true)
    await admin.disconnect()
    await cluster.stop()
    expect(isAlive(pid)).toBe(false)
    expect(fs.existsSync(cluster.dir)).toBe(false)
  })
})

describe.skipIf(!kafkaTestsWanted())('three Kafka brokers', () => {
  let cluster: KafkaCluster
  let kafka: Kafka
  let admin: Admin

  beforeAll(async () => {
    cluster = await startKafka({ brokers: 3 })
    kafka = client(cluster)
    admin = kafka.admin()
    await admin.connect()
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await admin?.disconnect()
    await cluster?.stop()
  }, TEST_TIMEOUT_MS)

  async function inSyncReplicas(topic: string): Promise<number[][]> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    return (topics[0]?.partitions ?? []).map((p) => [...p.isr].sort())
  }

  async function produceAndConsume(topic: string, count: number): Promise<string[]> {
    const producer = producerOf(kafka)
    await producer.connect()
    const values = Array.from({ length: count }, (_, i) => `value-${i}`)
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `key-${i}`, value })) })
    await producer.disconnect()
    const records = await consumeUntil(kafka, { groupId: uniqueName('group'), topics: [topic] }, (r) => r.length === count)
    return valuesOf(records).sort()
  }

  test('listens on three loopback ports', () => {
    expect(cluster.brokers).toHaveLength(3)
    expect(new Set(cluster.brokers).size).toBe(3)
  })

  test('a topic with replication factor 3 has every partition in sync on all brokers', async () => {
    const topic = uniqueName('replicated')
    await createTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 3 }])
    expect(await inSyncReplicas(topic)).toEqual([[0, 1, 2], [0, 1, 2], [0, 1, 2]])
    const values = await produceAndConsume(topic, 20)
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `value-${i}`).sort())
  })

  test('a killed broker leaves the others serving, and rejoins the in-sync replicas after restart', async () => {
    const topic = uniqueName('failover')
    await createTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 3 }])
    await cluster.killBroker(2)
    await expect.poll(() => inSyncReplicas(topic), { timeout: 30_000, interval: 200 }).toEqual([[0, 1], [0, 1], [0, 1]])
    expect(await produceAndConsume(topic, 10)).toHaveLength(10)

    await cluster.restartBroker(2)
    await expect.poll(() => inSyncReplicas(topic), { timeout: 30_000, interval: 200 }).toEqual([[0, 1, 2], [0, 1, 2], [0, 1, 2]])
  })
})
