/**
 * The append loop the log benchmarks share: fixed-size values, null keys, one partition,
 * one awaited `send` per batch, each send's latency kept.
 *
 * @example
 * const appended = await appendRecords(log, { topic: 't', records: 1_000_000, batchRecords: 1_000 })
 * console.log(appended.seconds, latencyFigures(appended.sendLatenciesMs))
 */
import { randomBytes } from 'node:crypto'
import type { Log, ProducerRecord } from '../../core/log/types.js'
import { elapsedMs } from './report.js'

/** Every log benchmark writes values of this size. */
export const valueBytes = 100

export interface AppendPlan {
  readonly topic: string
  readonly records: number
  readonly batchRecords: number
}

export interface AppendResult {
  readonly seconds: number
  readonly sends: number
  /** One entry per send, in order. */
  readonly sendLatenciesMs: Float64Array
}

/**
 * Builds one batch and reuses it for every send: the records are immutable, so reuse is safe,
 * and the loop then measures the log rather than the allocation of test records.
 */
function batchOf(topic: string, batchRecords: number): ProducerRecord[] {
  const value = randomBytes(valueBytes)
  return Array.from({ length: batchRecords }, () => ({ topic, partition: 0, key: null, value }))
}

/** Appends `plan.records` records to partition 0 of `plan.topic`, awaiting each batch. */
export async function appendRecords(log: Log, plan: AppendPlan): Promise<AppendResult> {
  const fullBatch = batchOf(plan.topic, plan.batchRecords)
  const sends = Math.ceil(plan.records / plan.batchRecords)
  const sendLatenciesMs = new Float64Array(sends)
  const producer = log.producer()
  const startNs = process.hrtime.bigint()
  for (let send = 0; send < sends; send++) {
    const remaining = plan.records - send * plan.batchRecords
    const batch = remaining >= plan.batchRecords ? fullBatch : fullBatch.slice(0, remaining)
    const sendStartNs = process.hrtime.bigint()
    await producer.send(batch)
    sendLatenciesMs[send] = elapsedMs(sendStartNs)
  }
  await producer.close()
  return { seconds: elapsedMs(startNs) / 1000, sends, sendLatenciesMs }
}
