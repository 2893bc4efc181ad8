/**
 * `pipeline-stateless` (`filter → mapValues → to`, 100-byte string values, one partition) on the
 * Kafka backend, against a local one-broker cluster started and stopped here: at_least_once
 * (commit every second) and exactly_once (every 100 ms, a transaction each), each timed from
 * `start()` until it has stopped with every output written. Baseline in the same run: the input
 * read back with a plain kafkajs consumer (`raw_consume_records_per_s`); `ratio_to_raw_consume`
 * (at_least_once) and `eos_ratio_to_raw_consume`. The input is written with a plain kafkajs
 * producer, timed too (`raw_produce_records_per_s`): the app writes nearly every record back, one
 * send per processed batch, so that rate bounds it (`ratio_to_raw_produce`). And the same copy in
 * plain kafkajs, `eachBatch` → filter and map → `send` (`raw_copy_records_per_s`, `ratio_to_raw_copy`),
 * as pipeline-stateless's log-copy baseline.
 */
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import { createTopics, rawConsume, rawCopy, rawProduce, withKafka } from '../kafka.js'
import { benchCommitIntervalMs, checkOutputs, timeApp } from '../pipeline.js'
import { keptCount, lineBytes, lineRecords } from '../pipeline-data.js'
import { runWorkload, scaled } from '../report.js'

const exactlyOnceCommitIntervalMs = 100
const input = 'in'

await runWorkload('kafka-pipeline', () =>
  withKafka(async (bootstrap) => {
    const records = scaled(1_000_000)
    const kind = lineRecords
    await createTopics(bootstrap, [input, 'alo-out', 'eos-out', 'copy-out'])
    const produced = await rawProduce(bootstrap, { topic: input, records, kind })
    const raw = await rawConsume(bootstrap, { topic: input, records, groupId: 'raw' })
    const copy = await rawCopy(bootstrap, { input, output: 'copy-out', records, kind, groupId: 'raw-copy' })
    const log = await openKafkaLog({ brokers: bootstrap })
    try {
      const atLeastOnce = await timeApp(log, { id: 'alo', processing: 'at_least_once', commitIntervalMs: benchCommitIntervalMs, input, output: 'alo-out', records, kind })
      await checkOutputs(log, { topic: 'alo-out', records, kind })
      const exactlyOnce = await timeApp(log, { id: 'eos', processing: 'exactly_once', commitIntervalMs: exactlyOnceCommitIntervalMs, input, output: 'eos-out', records, kind })
      await checkOutputs(log, { topic: 'eos-out', records, kind })
      await checkOutputs(log, { topic: 'copy-out', records, kind })
      const rawRecordsPerSecond = records / raw.seconds
      const rawProduceRecordsPerSecond = records / produced.seconds
      const recordsPerSecond = records / atLeastOnce.seconds
      const eosRecordsPerSecond = records / exactlyOnce.seconds
      return {
        processing: 'at_least_once',
        commit_interval_ms: benchCommitIntervalMs,
        records,
        value_bytes: lineBytes,
        outputs: keptCount(records),
        seconds: atLeastOnce.seconds,
        records_per_s: recordsPerSecond,
        commits: atLeastOnce.commits,
        eos_commit_interval_ms: exactlyOnceCommitIntervalMs,
        eos_seconds: exactlyOnce.seconds,
        eos_records_per_s: eosRecordsPerSecond,
        eos_transactions: exactlyOnce.commits,
        raw_consume_seconds: raw.seconds,
        raw_consume_records_per_s: rawRecordsPerSecond,
        ratio_to_raw_consume: recordsPerSecond / rawRecordsPerSecond,
        eos_ratio_to_raw_consume: eosRecordsPerSecond / rawRecordsPerSecond,
        raw_produce_records_per_s: rawProduceRecordsPerSecond,
        ratio_to_raw_produce: recordsPerSecond / rawProduceRecordsPerSecond,
        raw_copy_seconds: copy.seconds,
        raw_copy_records_per_s: records / copy.seconds,
        ratio_to_raw_copy: recordsPerSecond / (records / copy.seconds),
      }
    } finally {
      await log.close()
    }
  }),
)
