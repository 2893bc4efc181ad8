/**
 * Consumer throughput against a local one-broker Kafka cluster (started and stopped here): a
 * one-partition topic of 100-byte values is read back whole with a plain kafkajs consumer
 * (`eachBatch`): the baseline of the Kafka pipeline workload. Then the same topic through the
 * Kafka backend's consumer, `poll` by `poll` (`log_consumer_*`, `ratio_to_raw_consume`).
 */
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import { createTopics, rawConsume, rawProduce, withKafka } from '../kafka.js'
import { lineBytes, lineRecords } from '../pipeline-data.js'
import { elapsedMs, mbPerSecond, runWorkload, scaled } from '../report.js'

const topic = 'in'
const maxPollRecords = 10_000

await runWorkload('kafka-consume', () =>
  withKafka(async (bootstrap) => {
    const records = scaled(2_000_000)
    await createTopics(bootstrap, [topic])
    await rawProduce(bootstrap, { topic, records, kind: lineRecords })
    const raw = await rawConsume(bootstrap, { topic, records, groupId: 'raw' })
    const log = await openKafkaLog({ brokers: bootstrap })
    let logSeconds: number
    try {
      const consumer = log.consumer({ groupId: 'log', isolation: 'read_uncommitted', maxPollRecords })
      const startNs = process.hrtime.bigint()
      await consumer.subscribe([topic])
      for (let taken = 0; taken < records; ) taken += (await consumer.poll({ timeoutMs: 1_000 })).length
      logSeconds = elapsedMs(startNs) / 1000
      await consumer.close()
    } finally {
      await log.close()
    }
    const rawRecordsPerSecond = records / raw.seconds
    return {
      records,
      value_bytes: lineBytes,
      seconds: raw.seconds,
      records_per_s: rawRecordsPerSecond,
      mb_per_s: mbPerSecond(raw.bytes, raw.seconds),
      batches: raw.batches,
      log_consumer_seconds: logSeconds,
      log_consumer_records_per_s: records / logSeconds,
      ratio_to_raw_consume: records / logSeconds / rawRecordsPerSecond,
    }
  }),
)
