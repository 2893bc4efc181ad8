/**
 * Back-to-back transactions through the Kafka backend against a local one-broker cluster
 * (started and stopped here), each as an exactly_once commit makes one: a record sent,
 * the input's offsets sent to the transaction, commit. Reports each transaction's latency and
 * the mean time of each step: the first send waits for the coordinator to take the partition
 * into the new transaction, which it refuses (CONCURRENT_TRANSACTIONS) while the previous
 * transaction's markers are being written.
 */
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import { createTopics, withKafka } from '../kafka.js'
import { elapsedMs, latencyFigures, runWorkload, scaled } from '../report.js'

const output = 'out'
const input = 'in'
const groupId = 'kafka-transaction-bench'
/** Transactions made before the measured ones: connections, the producer id, the JIT. */
const WARM_UP = 50

await runWorkload('kafka-transaction', () =>
  withKafka(async (bootstrap) => {
    const transactions = scaled(1_000)
    await createTopics(bootstrap, [output, input])
    const log = await openKafkaLog({ brokers: bootstrap })
    try {
      const producer = log.producer({ transactionalId: 'kafka-transaction-bench' })
      const latenciesMs = new Float64Array(transactions)
      const stepMs = { send: 0, send_offsets: 0, commit: 0 }
      const startNs = process.hrtime.bigint()
      for (let i = -WARM_UP; i < transactions; i++) {
        const beganNs = process.hrtime.bigint()
        const transaction = await producer.beginTransaction()
        await transaction.send([{ topic: output, key: Buffer.from('key'), value: Buffer.from(`value-${i}`) }])
        const sentNs = process.hrtime.bigint()
        await transaction.sendOffsets(groupId, [{ topic: input, partition: 0, offset: i + WARM_UP + 1 }])
        const offsetsNs = process.hrtime.bigint()
        await transaction.commit()
        if (i < 0) continue
        const endNs = process.hrtime.bigint()
        latenciesMs[i] = elapsedMs(beganNs, endNs)
        stepMs.send += elapsedMs(beganNs, sentNs)
        stepMs.send_offsets += elapsedMs(sentNs, offsetsNs)
        stepMs.commit += elapsedMs(offsetsNs, endNs)
      }
      const totalMs = latenciesMs.reduce((sum, ms) => sum + ms, 0)
      await producer.close()
      return {
        transactions,
        seconds: totalMs / 1000,
        transactions_per_s: transactions / (totalMs / 1000),
        ...latencyFigures(latenciesMs),
        mean_send_ms: stepMs.send / transactions,
        mean_send_offsets_ms: stepMs.send_offsets / transactions,
        mean_commit_ms: stepMs.commit / transactions,
        wall_seconds: elapsedMs(startNs) / 1000,
      }
    } finally {
      await log.close()
    }
  }),
)
