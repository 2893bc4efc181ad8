/**
 * Producer throughput against a local one-broker Kafka cluster (started and stopped here):
 * 100-byte values sent with a plain kafkajs producer, 1,000 records per awaited `send`,
 * idempotent with acks from all replicas, as Tributary's producer sends. Then the same records
 * through the Kafka backend's producer (`log_producer_*`, `ratio_to_raw_produce`).
 */
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import { createTopics, rawBatchRecords, rawProduce, withKafka } from '../kafka.js'
import { appendSequence } from '../pipeline.js'
import { lineBytes, lineRecords } from '../pipeline-data.js'
import { elapsedMs, mbPerSecond, runWorkload, scaled } from '../report.js'

await runWorkload('kafka-produce', () =>
  withKafka(async (bootstrap) => {
    const records = scaled(2_000_000)
    await createTopics(bootstrap, ['raw', 'log'])
    const raw = await rawProduce(bootstrap, { topic: 'raw', records, kind: lineRecords })
    const log = await openKafkaLog({ brokers: bootstrap })
    let logSeconds: number
    try {
      const startNs = process.hrtime.bigint()
      await appendSequence(log, { records, recordOf: (sequence) => ({ topic: 'log', partition: 0, key: null, value: lineRecords.valueBytes(sequence) }) })
      logSeconds = elapsedMs(startNs) / 1000
    } finally {
      await log.close()
    }
    const rawRecordsPerSecond = records / raw.seconds
    return {
      records,
      value_bytes: lineBytes,
      batch_records: rawBatchRecords,
      seconds: raw.seconds,
      records_per_s: rawRecordsPerSecond,
      mb_per_s: mbPerSecond(records * lineBytes, raw.seconds),
      log_producer_seconds: logSeconds,
      log_producer_records_per_s: records / logSeconds,
      ratio_to_raw_produce: records / logSeconds / rawRecordsPerSecond,
    }
  }),
)
