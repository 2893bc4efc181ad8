/** Topics: create, describe, list, delete, and the names and settings that are refused. */
import { expect, test } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { InvalidTopicNameError, TopicExistsError, UnknownTopicOrPartitionError } from '../../../core/log/errors.js'
import type { ContractContext } from './context.js'
import { errorOf, makeTopic, produceN, uniqueName } from './helpers.js'

const DAY_MS = 24 * 60 * 60 * 1000

const ILLEGAL_TOPIC_NAMES: readonly string[] = ['', '.', '..', 'a/b', '../x', 'a'.repeat(250), 'a b', 'ü']
const ILLEGAL_PARTITION_COUNTS: readonly number[] = [0, -1, 1.5, Number.NaN]

export function topicTests(context: ContractContext): void {
  test('a new topic has the requested partitions, each starting and ending at offset 0', async () => {
    const topic = await makeTopic(context.log, { partitions: 3 })
    const description = await context.log.describeTopic(topic)
    expect(description.name).toBe(topic)
    expect(description.config.partitions).toBe(3)
    const partitions = [...description.partitions].sort((a, b) => a.partition - b.partition)
    expect(partitions.map(({ partition, startOffset, endOffset }) => ({ partition, startOffset, endOffset }))).toEqual([
      { partition: 0, startOffset: 0, endOffset: 0 },
      { partition: 1, startOffset: 0, endOffset: 0 },
      { partition: 2, startOffset: 0, endOffset: 0 },
    ])
  })

  test('describeTopic returns the settings given at creation', async () => {
    const topic = await makeTopic(context.log, {
      partitions: 2,
      cleanup: 'compact',
      retentionMs: 3_600_000,
      retentionBytes: 10_000_000,
      segmentBytes: 16 * 1024 * 1024,
      segmentMs: DAY_MS,
      maxRecordBytes: 2048,
      deleteRetentionMs: 60_000,
    })
    const { config } = await context.log.describeTopic(topic)
    expect(config).toMatchObject({
      partitions: 2,
      cleanup: 'compact',
      retentionMs: 3_600_000,
      retentionBytes: 10_000_000,
      segmentBytes: 16 * 1024 * 1024,
      segmentMs: DAY_MS,
      maxRecordBytes: 2048,
      deleteRetentionMs: 60_000,
    })
  })

  test("describeTopic fills in Kafka's defaults for settings not given", async () => {
    const topic = await makeTopic(context.log, { partitions: 1 })
    const { config } = await context.log.describeTopic(topic)
    expect(config).toMatchObject({
      partitions: 1,
      cleanup: 'delete',
      retentionMs: 7 * DAY_MS,
      retentionBytes: -1,
      segmentBytes: 1024 * 1024 * 1024,
      segmentMs: 7 * DAY_MS,
      maxRecordBytes: 1024 * 1024 + 12,
      deleteRetentionMs: DAY_MS,
    })
  })

  test("a partition's endOffset grows with appends and the other partitions stay at 0", async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    await produceN(context.producer(), topic, 3, { partition: 1 })
    const { partitions } = await context.log.describeTopic(topic)
    const byPartition = new Map(partitions.map((description) => [description.partition, description]))
    expect(byPartition.get(0)).toMatchObject({ startOffset: 0, endOffset: 0 })
    expect(byPartition.get(1)).toMatchObject({ startOffset: 0, endOffset: 3 })
  })

  test('listTopics returns the topics sorted by name', async () => {
    const suffix = uniqueName('list')
    for (const prefix of ['c', 'a', 'b']) await context.log.createTopic(`${prefix}-${suffix}`, { partitions: 1 })
    const topics = await context.log.listTopics()
    expect(topics.filter((topic) => topic.endsWith(suffix))).toEqual([`a-${suffix}`, `b-${suffix}`, `c-${suffix}`])
    expect(topics).toEqual([...topics].sort())
  })

  test('listTopics leaves out internal topics, even once group offsets and transactions exist', async () => {
    const topic = await makeTopic(context.log)
    const transaction = await context.producer({ transactionalId: uniqueName('txn') }).beginTransaction()
    await transaction.send([{ topic, partition: 0, value: null }])
    await transaction.sendOffsets(uniqueName('group'), [{ topic, partition: 0, offset: 0 }])
    await transaction.commit()
    const topics = await context.log.listTopics()
    expect(topics).toContain(topic)
    expect(topics.filter((name) => name.startsWith('__'))).toEqual([])
  })

  test('a deleted topic is gone: describeTopic throws UnknownTopicOrPartitionError and listTopics leaves it out', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    await produceN(context.producer(), topic, 2)
    await context.log.deleteTopic(topic)
    await expect(context.log.describeTopic(topic)).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
    expect(await context.log.listTopics()).not.toContain(topic)
  })

  test('a topic created again after deletion starts empty', async () => {
    const topic = await makeTopic(context.log)
    await produceN(context.producer(), topic, 2)
    await context.log.deleteTopic(topic)
    await context.log.createTopic(topic, { partitions: 1 })
    const { partitions } = await context.log.describeTopic(topic)
    expect(partitions.map(({ startOffset, endOffset }) => ({ startOffset, endOffset }))).toEqual([
      { startOffset: 0, endOffset: 0 },
    ])
  })

  test('describing a topic that does not exist throws UnknownTopicOrPartitionError', async () => {
    await expect(context.log.describeTopic(uniqueName('missing'))).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
  })

  test('deleting a topic that does not exist throws UnknownTopicOrPartitionError', async () => {
    await expect(context.log.deleteTopic(uniqueName('missing'))).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
  })

  test('creating a topic that exists throws TopicExistsError and leaves the topic as it was', async () => {
    const topic = await makeTopic(context.log, { partitions: 2 })
    await expect(context.log.createTopic(topic, { partitions: 5 })).rejects.toBeInstanceOf(TopicExistsError)
    expect((await context.log.describeTopic(topic)).partitions).toHaveLength(2)
  })

  test.each(ILLEGAL_TOPIC_NAMES.map((name) => [name.length > 20 ? `${name.slice(0, 8)}… (${name.length} chars)` : name, name]))(
    'the topic name %j is refused with InvalidTopicNameError and nothing is created',
    async (_label, name) => {
      const error = await errorOf(() => context.log.createTopic(name, { partitions: 1 }))
      expect(error).toBeInstanceOf(InvalidTopicNameError)
      expect(await context.log.listTopics()).not.toContain(name)
    },
  )

  test.each(ILLEGAL_PARTITION_COUNTS)('a partition count of %s is refused with ConfigError and nothing is created', async (partitions) => {
    const topic = uniqueName('bad-partitions')
    const error = await errorOf(() => context.log.createTopic(topic, { partitions }))
    expect(error).toBeInstanceOf(ConfigError)
    expect(await context.log.listTopics()).not.toContain(topic)
  })
}
