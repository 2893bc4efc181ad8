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
 * How often a round's batches that kafkajs left unsent are sent again before the send fails.
 * kafkajs 2.2.4 keeps, across the retries of one sendBatch, the answers of brokers that took
 * their part; when a failed broker's partitions move to one of those (a broker crash), the retry
 * skips them and kafkajs resolves without them. They were not written by that retry, and their
 * sequence numbers were rolled back when the failed request failed, so sending them again through
 * the same idempotent producer (or transaction) writes them once.
 */
const UNANSWERED_RESENDS = 5

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
    // A round holds one batch per partition, so sending some of them again keeps each partition's order.
    let pending = round
    for (let resends = 0; pending.length > 0; resends++) {
      const answers = await sendRound(sender, pending, records, plan.now, context)
      const byPartition = new Map(answers.map((answer) => [`${answer.topicName}:${answer.partition}`, answer]))
      const unanswered = pending.filter((batch) => byPartition.get(`${batch.topic}:${batch.partition}`)?.baseOffset === undefined)
      if (unanswered.length > 0 && resends >= UNANSWERED_RESENDS) {
        const missing = unanswered.map((batch) => `${batch.topic}-${batch.partition}`).join(', ')
        throw new LogError('TRIBUTARY_KAFKA', `the broker's answer to a send to ${missing} has no base offset`)
      }
      for (const batch of pending) {
        const answer = byPartition.get(`${batch.topic}:${batch.partition}`)
        if (answer?.baseOffset === undefined) continue
        const baseOffset = Number(answer.baseOffset)
        const appendTime = Number(answer.logAppendTime ?? -1)
        batch.indexes.forEach((index, position) => {
          const timestamp = appendTime >= 0 ? appendTime : records[index]!.timestamp ?? plan.now
          metadata[index] = { topic: batch.topic, partition: batch.partition, offset: baseOffset + position, timestamp }
        })
      }
      pending = unanswered
    }
  }
  return metadata
}

/** One produce request for `batches`; a failure names them and marks their topics' metadata stale. */
async function sendRound(
  sender: BatchSender,
  batches: readonly PlannedBatch[],
  records: readonly ProducerRecord[],
  now: number,
  context: { readonly transactionalId?: string; readonly onFailure?: (topic: string) => void },
): Promise<KafkaRecordMetadata[]> {
  try {
    return await sender.sendBatch({ acks: -1, topicMessages: topicMessagesOf(batches, records, now) })
  } catch (error) {
    for (const batch of batches) context.onFailure?.(batch.topic)
    throw toLogError(error, failureContext(batches, context.transactionalId))
  }
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
