/**
 * Append-to-delivery latency at a steady rate: a producer sends one record at a time on an
 * hrtime schedule while a consumer in the same process tails the partition. Each value
 * carries the `process.hrtime.bigint()` taken just before its `send`; the consumer subtracts
 * it from its own reading when the record is delivered.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Consumer, Log } from '../../../core/log/types.js'
import { valueBytes } from '../append.js'
import { latencyFigures, runWorkload, scaled, withTempDir } from '../report.js'

const topic = 't'
const targetRecordsPerSecond = 10_000
const intervalNs = BigInt(1e9 / targetRecordsPerSecond)
const pollTimeoutMs = 1_000
/** Empty polls in a row after the producer finished before we call delivery stuck. */
const emptyPollLimitAfterProducer = 3

interface ProducerRun {
  readonly seconds: number
  /** How far behind its schedule the producer fell at worst. */
  readonly maxLagMs: number
}

await runWorkload('log-latency', () =>
  withTempDir(async (dir) => {
    const records = scaled(100_000)
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    await log.createTopic(topic, { partitions: 1 })
    const consumer = log.consumer({ groupId: 'g', isolation: 'read_uncommitted' })
    await consumer.subscribe([topic])
    const latenciesMs = new Float64Array(records)
    const producerState = { done: false }
    const [producerRun] = await Promise.all([
      produceOnSchedule(log, records).finally(() => {
        producerState.done = true
      }),
      tail(consumer, latenciesMs, producerState),
    ])
    await consumer.close()
    await log.close()
    return {
      durability: 'none',
      records,
      target_records_per_s: targetRecordsPerSecond,
      records_per_s: records / producerRun.seconds,
      seconds: producerRun.seconds,
      max_schedule_lag_ms: producerRun.maxLagMs,
      ...latencyFigures(latenciesMs),
    }
  }),
)

/**
 * Sends record `i` when `start + i × interval` is due, awaiting each send. Between sends it
 * yields with setImmediate (so the consumer runs) and rereads hrtime, so the schedule never
 * drifts: a late send is followed at once by the ones that fell due meanwhile.
 */
async function produceOnSchedule(log: Log, records: number): Promise<ProducerRun> {
  const producer = log.producer()
  const startNs = process.hrtime.bigint()
  let maxLagNs = 0n
  for (let index = 0; index < records; index++) {
    const dueNs = startNs + BigInt(index) * intervalNs
    let nowNs = process.hrtime.bigint()
    while (nowNs < dueNs) {
      await nextTurn()
      nowNs = process.hrtime.bigint()
    }
    if (nowNs - dueNs > maxLagNs) maxLagNs = nowNs - dueNs
    const value = Buffer.alloc(valueBytes)
    value.writeUInt32BE(index, 8)
    value.writeBigInt64BE(process.hrtime.bigint(), 0)
    await producer.send([{ topic, partition: 0, key: null, value }])
  }
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9
  await producer.close()
  return { seconds, maxLagMs: Number(maxLagNs) / 1e6 }
}

/** Polls until every record has arrived, recording each one's latency by its index. */
async function tail(consumer: Consumer, latenciesMs: Float64Array, producer: { readonly done: boolean }): Promise<void> {
  let delivered = 0
  let emptyPollsAfterProducer = 0
  while (delivered < latenciesMs.length) {
    const batch = await consumer.poll({ timeoutMs: pollTimeoutMs })
    const deliveredNs = process.hrtime.bigint()
    for (const record of batch) {
      if (record.value === null) throw new Error(`record at offset ${record.offset} has a null value`)
      const index = record.value.readUInt32BE(8)
      latenciesMs[index] = Number(deliveredNs - record.value.readBigInt64BE(0)) / 1e6
    }
    delivered += batch.length
    if (batch.length === 0 && producer.done && ++emptyPollsAfterProducer >= emptyPollLimitAfterProducer) {
      throw new Error(`delivery stuck: ${delivered} of ${latenciesMs.length} records arrived`)
    }
  }
}
