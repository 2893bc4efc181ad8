/**
 * kafkajs 2.2.4's Batch (`consumer/batch.js`, one partition's records of a fetch) with a cheaper
 * constructor. kafkajs drops the records before the offset it fetched from (a fetch may start
 * inside a record batch) by comparing every record's offset with it through BigInt-backed Longs
 * parsed from strings. A fetch's offsets ascend, so those records are a prefix: this compares
 * until the first record at or past the fetched offset, usually the first one. The rest is
 * kafkajs's own: the methods are its Batch's, and aborted and control records are dropped by its
 * code as before. `kafkajs-fixes.ts` installs it.
 *
 * @example
 * const Batch = fetchedBatchClass(require('kafkajs/src/consumer/batch.js'), require('kafkajs/src/consumer/filterAbortedMessages.js'))
 * new Batch('orders', '7', { partition: 0, highWatermark: '10', messages, abortedTransactions: [] }).messages
 */

/** A fetched record as the batch looks at it. */
interface BatchMessage {
  readonly offset: string
  readonly isControlRecord?: boolean
}

/** What kafkajs's fetch hands a batch for one partition. */
export interface FetchedPartitionData {
  readonly partition: number
  readonly highWatermark: string
  readonly messages: readonly BatchMessage[]
  readonly abortedTransactions?: readonly unknown[]
}

/** kafkajs's Batch class, as far as this uses it. */
export interface KafkaJsBatchClass {
  readonly prototype: object
}

/** kafkajs's `filterAbortedMessages`. */
export type FilterAbortedMessages = (args: { messages: readonly BatchMessage[]; abortedTransactions: readonly unknown[] | undefined }) => BatchMessage[]

/**
 * The records of `messages` at or past `fetchedOffset` (a decimal string, a number or a bigint),
 * as a new array; `messages` ascend by offset.
 *
 * @example
 * fromFetchedOffset([{ offset: '5' }, { offset: '6' }, { offset: '7' }], '6') // [{ offset: '6' }, { offset: '7' }]
 */
export function fromFetchedOffset<M extends BatchMessage>(messages: readonly M[], fetchedOffset: string | number | bigint): M[] {
  const from = BigInt(fetchedOffset)
  let first = 0
  while (first < messages.length && BigInt(messages[first]!.offset) < from) first++
  return messages.slice(first)
}

/**
 * A constructor for kafkajs's consumer to use in place of its Batch: `new` gives an object of
 * kafkajs's Batch class with the same fields, the records before the fetched offset found as a
 * prefix (see above).
 *
 * @example
 * const Batch = fetchedBatchClass(OriginalBatch, filterAbortedMessages)
 * const batch = new Batch(topic, fetchedOffset, partitionData) // instanceof OriginalBatch
 */
export function fetchedBatchClass(Original: KafkaJsBatchClass, filterAbortedMessages: FilterAbortedMessages): new (topic: string, fetchedOffset: string | number | bigint, partitionData: FetchedPartitionData) => object {
  return function Batch(topic: string, fetchedOffset: string | number | bigint, partitionData: FetchedPartitionData): object {
    const batch = Object.create(Original.prototype) as Record<string, unknown>
    batch['fetchedOffset'] = fetchedOffset
    batch['topic'] = topic
    batch['partition'] = partitionData.partition
    batch['highWatermark'] = partitionData.highWatermark
    batch['rawMessages'] = partitionData.messages
    const withinOffset = fromFetchedOffset(partitionData.messages, fetchedOffset)
    batch['messagesWithinOffset'] = withinOffset
    batch['messages'] = filterAbortedMessages({ messages: withinOffset, abortedTransactions: partitionData.abortedTransactions }).filter((message) => !message.isControlRecord)
    return batch
  } as unknown as new (topic: string, fetchedOffset: string | number | bigint, partitionData: FetchedPartitionData) => object
}
