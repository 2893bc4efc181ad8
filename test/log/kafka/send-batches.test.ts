import type { ProducerBatch, RecordMetadata as KafkaRecordMetadata } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { LogError } from '../../../core/log/errors.js'
import { type BatchSender, sendPlanned } from '../../../core/log/kafka/send-batches.js'
import type { SendPlan } from '../../../core/log/kafka/send-plan.js'
import type { ProducerRecord } from '../../../core/log/types.js'

const records: ProducerRecord[] = [
  { topic: 't', key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1000 },
  { topic: 't', key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 1000 },
]
/** One round with a batch for partition 0 (record 0) and one for partition 1 (record 1). */
const plan: SendPlan = {
  now: 1000,
  rounds: [
    [
      { topic: 't', partition: 0, indexes: [0], sizeBytes: 80, maxBytes: 1_048_588 },
      { topic: 't', partition: 1, indexes: [1], sizeBytes: 80, maxBytes: 1_048_588 },
    ],
  ],
}

/**
 * A kafkajs sender that answers, on its n-th call, only the partitions `answered[n]` lists (base
 * offset 10 × partition), as kafkajs 2.2.4 resolves when a retry skips partitions that moved to a
 * broker which had already answered. It records the partitions each call carried.
 */
function scriptedSender(answered: readonly (readonly number[])[]): BatchSender & { calls: number[][] } {
  const calls: number[][] = []
  return {
    calls,
    async sendBatch(batch: ProducerBatch): Promise<KafkaRecordMetadata[]> {
      const carried = (batch.topicMessages ?? []).flatMap((topic) => topic.messages.map((message) => message.partition ?? -1))
      calls.push(carried)
      const answering = answered[calls.length - 1] ?? []
      return carried.filter((partition) => answering.includes(partition)).map((partition) => ({ topicName: 't', partition, errorCode: 0, baseOffset: String(10 * partition) }))
    },
  }
}

describe('sendPlanned', () => {
  it('sends again, alone, the batches whose partitions the answer left out, and returns every offset', async () => {
    const sender = scriptedSender([[0], [1]])
    const metadata = await sendPlanned(sender, records, plan, {})
    expect(sender.calls).toEqual([[0, 1], [1]])
    expect(metadata.map((m) => [m.partition, m.offset])).toEqual([[0, 0], [1, 10]])
  })

  it('fails with a LogError naming the partition when the answer keeps leaving it out', async () => {
    const sender = scriptedSender([[0]])
    await expect(sendPlanned(sender, records, plan, {})).rejects.toThrow(LogError)
    await expect(sendPlanned(scriptedSender([[0]]), records, plan, {})).rejects.toThrow(/t-1 has no base offset/)
    expect(sender.calls).toEqual([[0, 1], [1], [1], [1], [1], [1]])
  })
})
