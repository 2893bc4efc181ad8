import type { ProducerBatch, RecordMetadata as KafkaRecordMetadata, TopicMessages } from 'kafkajs'
import { LogError } from '../errors.js'
import type { ProducerRecord, RecordMetadata } from '../types.js'
import { toLogError } from './errors.js'
import { toKafkaMessage } from './records.js'
import type { PlannedBatch, SendPlan } from './send-plan.js'

/** A kafkajs producer or transaction. */
export interface BatchSender {
  sendBatch(batch: ProducerBatch): Promise<KafkaRecordMetadata[]>
}

/**
 * Sends a planned send, one produce request per round, and returns each record's metadata in
 * input order: a batch's records get consecutive offsets from the base offset the broker
 * answers. `onFailure` hears of each topic whose request failed (its cached metadata is stale).
 *
 * @example
 * const metadata = await sendPlanned(kafkaProducer, records, await planSend(records, cache, roundRobin), {})
 */
export async function sendPlanned(
  sender: BatchSender,
  records: readonly ProducerRecord[],
  plan: SendPlan,
  context: { readonly transactionalId?: string; readonly onFailure?: (topic: string) => void },
): Promise<RecordMetadata[]> {
  const metadata = new Array<RecordMetadata>(records.length)
  for (const round of plan.rounds) {
    let answers: KafkaRecordMetadata[]
    try {
      answers = await sender.sendBatch({ acks: -1, topicMessages: topicMessagesOf(round, records, plan.now) })
    } catch (error) {
      for (const batch of round) context.onFailure?.(batch.topic)
      throw toLogError(error, failureContext(round, context.transactionalId))
    }
    const byPartition = new Map(answers.map((answer) => [`${answer.topicName}:${answer.partition}`, answer]))
    for (const batch of round) {
      const answer = byPartition.get(`${batch.topic}:${batch.partition}`)
      if (answer?.baseOffset === undefined) {
        throw new LogError('TRIBUTARY_KAFKA', `the broker's answer to a send to ${batch.topic}-${batch.partition} has no base offset`)
      }
      const baseOffset = Number(answer.baseOffset)
      const appendTime = Number(answer.logAppendTime ?? -1)
      batch.indexes.forEach((index, position) => {
        const timestamp = appendTime >= 0 ? appendTime : records[index]!.timestamp ?? plan.now
        metadata[index] = { topic: batch.topic, partition: batch.partition, offset: baseOffset + position, timestamp }
      })
    }
  }
  return metadata
}

function topicMessagesOf(round: readonly PlannedBatch[], records: readonly ProducerRecord[], now: number): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>()
  for (const { topic, partition, indexes } of round) {
    let entry = byTopic.get(topic)
    if (entry === undefined) byTopic.set(topic, (entry = { topic, messages: [] }))
    for (const index of indexes) {
      const record = records[index]!
      entry.messages.push(toKafkaMessage(record, partition, record.timestamp ?? now))
    }
  }
  return [...byTopic.values()]
}

/** What a failed round names: its topic and partition when it had one batch, its topic when one topic. */
function failureContext(round: readonly PlannedBatch[], transactionalId: string | undefined) {
  const first = round[0]
  const oneTopic = first !== undefined && round.every((batch) => batch.topic === first.topic)
  return {
    operation: 'send',
    ...(oneTopic ? { topic: first.topic } : {}),
    ...(round.length === 1 && first !== undefined ? { partition: first.partition, sizeBytes: first.sizeBytes, maxBytes: first.maxBytes } : {}),
    ...(transactionalId === undefined ? {} : { transactionalId }),
  }
}
