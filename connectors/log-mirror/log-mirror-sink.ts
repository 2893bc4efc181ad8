import { isRetriable } from '../runner/retry.js'
import { defineSink } from '../api/define.js'
import { field } from '../api/config-schema.js'
import { ConnectorError } from '../api/errors.js'
import type { SinkRecord } from '../api/types.js'
import type { ProducerRecord } from '../../core/log/types.js'
import { OrderedSender, type Outgoing } from './ordered-sender.js'
import { describeTarget, openTarget, parseTarget } from './target.js'
import { TargetTopics } from './topic-partitions.js'
import { targetTopic, topicNaming } from './topic-names.js'

const config = {
  target: field.json({ doc: 'the log to copy to: {"data": "DIR"} (an embedded log) or {"kafka": "host:port,..."}' }),
  topicPrefix: field.string({ nonEmpty: false, default: '', doc: 'put before each target topic\'s name' }),
  topicSuffix: field.string({ nonEmpty: false, default: '', doc: 'put after each target topic\'s name' }),
  rename: field.json({ optional: true, doc: 'source topic → target topic, e.g. {"orders": "orders-copy"}; overrides prefix and suffix' }),
  createTopics: field.boolean({ default: true, doc: 'create missing target topics (with `partitions` partitions)' }),
  partitions: field.integer({ min: 1, default: 1, doc: 'partitions of the target topics it creates: give the source topics\' count to keep every record\'s partition' }),
}

/**
 * Copies the topics it reads to another log (an embedded log or a Kafka cluster): each record's
 * key, value, headers and timestamp as they are, into the same partition number when the target
 * topic has it (else the partition of its key). Target topics are named from the source's
 * (`rename`, or `topicPrefix` + name + `topicSuffix`) and created on first sight with
 * `partitions` partitions unless `createTopics` is false; a sink only sees records, so it cannot
 * learn the source topics' partition counts: give `partitions` (or create the target topics
 * beforehand) to keep every partition.
 *
 * Sends are pipelined: `put` queues them and returns, `flush` waits for all of them, and the
 * runner commits the source offsets only after it: at least once, in order per partition. A
 * record the target refuses (too large for its topic) goes to the dead-letter topic.
 *
 * Keys and values pass through as bytes by default; with other serdes they are read with the
 * spec's serdes and written again with them.
 *
 * @example
 * // tributary connect config entry: copy two topics from the embedded log to Kafka
 * { "name": "to-kafka", "connector": "log-mirror-sink", "topics": ["orders", "users"],
 *   "config": { "target": { "kafka": "kafka-1:9092" }, "topicPrefix": "edge1.", "partitions": 6 } }
 */
export const logMirrorSink = defineSink<typeof config, unknown, unknown>({
  name: 'log-mirror-sink',
  description: 'Copies topics to another log (embedded or Kafka), keeping keys, values, headers, timestamps and partitions',
  config,
  serdes: { key: 'bytes', value: 'bytes' },
  async start(settings, context) {
    const target = parseTarget(settings.target)
    const naming = topicNaming(settings.topicPrefix, settings.topicSuffix, settings.rename)
    const log = await openTarget(target, context.name)
    const producer = log.producer()
    const topics = new TargetTopics(log, { create: settings.createTopics, partitions: settings.partitions, connector: context.name })
    const sender = new OrderedSender<SinkRecord>(producer, (record, error) => context.deadLetter(record, error))
    const warnedTopics = new Set<string>()
    context.logger.info(`mirroring to ${describeTarget(target)}`)

    const warnOnce = (topic: string, partitions: number, partition: number): void => {
      if (warnedTopics.has(topic)) return
      warnedTopics.add(topic)
      context.logger.warn(`target topic ${topic} has ${partitions} partitions: records of partition ${partition} and up go to the partition of their key`)
    }

    /** The record for the target: the same bytes (through the spec's serdes), headers and timestamp, the same partition when there is one. */
    const outgoing = (record: SinkRecord, topic: string, partitions: number): Outgoing<SinkRecord> => {
      const keepPartition = record.partition < partitions
      if (!keepPartition) {
        context.metrics.count('repartitioned')
        warnOnce(topic, partitions, record.partition)
      }
      const produced: ProducerRecord = {
        topic,
        ...(keepPartition ? { partition: record.partition } : {}),
        key: record.key === null ? null : context.serdes.key.serialize(record.key, { topic, isKey: true, headers: record.headers }),
        value: record.value === null ? null : context.serdes.value.serialize(record.value, { topic, isKey: false, headers: record.headers }),
        headers: record.headers,
        timestamp: record.timestamp,
      }
      return { record: produced, source: record }
    }

    return {
      async put(records) {
        const batch: Outgoing<SinkRecord>[] = []
        for (const record of records) {
          const topic = targetTopic(naming, record.topic)
          const partitions = topics.knownPartitionsOf(topic) ?? (await topics.partitionsOf(topic))
          try {
            batch.push(outgoing(record, topic, partitions))
          } catch (error) {
            await context.deadLetter(record, error as Error) // its serde cannot write it
          }
        }
        await sender.enqueue(batch)
      },
      async flush() {
        try {
          await sender.flush()
        } catch (error) {
          throw new ConnectorError(context.name, `sending to ${describeTarget(target)} failed (${sender.pendingBatches} batches wait to be sent again): ${(error as Error).message}`, { retriable: isRetriable(error), cause: error })
        }
      },
      async stop() {
        try {
          await producer.close()
        } finally {
          await log.close()
        }
      },
    }
  },
})
