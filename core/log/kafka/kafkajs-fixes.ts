/**
 * Five fixes for kafkajs 2.2.4 (its last release), applied as this module loads, before kafkajs
 * does: every module here that loads kafkajs imports this one first.
 *
 * 1. kafkajs groups a send's messages by partition with `[...current, message]` for each message
 * (`src/producer/groupMessagesPerPartition.js`), so a send of n records to one partition copies
 * n²/2 array slots: a 100,000-record send (a commit flushing a windowed count) spent seconds
 * there, half of Nexmark q5's time on Kafka (`npm run bench:compare`). The replacement groups in
 * one pass, with the same result: messages per partition, in their order (upstream pull request
 * tulios/kafkajs#1576 does the same and was never released).
 * 2. Its produce request (v3, whose body v4 to v7 reuse) is encoded by `produce-request.ts` in
 *    one pass instead (uncompressed sends; a compressed one keeps kafkajs's encoder).
 * 3. Each fetched record is decoded by `record-decoder.ts`, without kafkajs's BigInt arithmetic,
 *    and a fetched batch (`fetched-batch.ts`) no longer compares every record's offset with the
 *    fetched offset through BigInts.
 * 4. An AddPartitionsToTxn refused with CONCURRENT_TRANSACTIONS (the previous transaction still
 *    completing) is retried after 2 ms, doubling up to Java's producer's 20 ms, before kafkajs's
 *    own retrier (300 ms first) takes over (`concurrent-transactions.ts`).
 * 5. A consumer group's heartbeat, commit, leave and committed-offset fetch look the group
 *    coordinator up again when it is gone or moved, so the member goes on as itself, as Java's
 *    consumer does, instead of restarting as a new member a minute later
 *    (`coordinator-failover.ts`).
 *
 * The first three work by replacing a module's exports in Node's CommonJS cache before kafkajs
 * requires it: the producer requires the grouping and the consumer the batch when kafkajs loads,
 * the request on the first send, the record decoder on the first fetch. `kafkajsFixesApplied()`
 * tells whether that happened (it cannot when kafkajs was loaded first, by code that imported it
 * before Tributary). The last two wrap methods of kafkajs's classes, which works either way.
 *
 * @example
 * import './kafkajs-fixes.js'
 * import kafkajs from 'kafkajs'
 */
import { createRequire } from 'node:module'
import { retryConcurrentTransactions } from './concurrent-transactions.js'
import { findCoordinatorAgain, followCoordinator, type KafkaJsConsumerGroup } from './coordinator-failover.js'
import { encodeProduceRequestBody, type ProduceTopicData } from './produce-request.js'
import { decodeFetchedRecord, type FetchedBatchContext, type KafkaJsDecoder } from './record-decoder.js'
import { fetchedBatchClass, type FilterAbortedMessages, type KafkaJsBatchClass } from './fetched-batch.js'

interface GroupingArguments {
  readonly topic: string
  readonly partitionMetadata: readonly unknown[]
  readonly messages: readonly unknown[]
  readonly partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: unknown }) => number
}

/**
 * kafkajs's grouping, in linear time: `{ [partition]: messages }`, each list in send order.
 *
 * @example
 * groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}], messages: [{ partition: 0 }], partitioner: ({ message }) => 0 })
 * // { 0: [{ partition: 0 }] }
 */
export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupingArguments): Record<number, unknown[]> {
  const groups: Record<number, unknown[]> = {}
  if (partitionMetadata.length === 0) return groups
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const group = groups[partition]
    if (group === undefined) groups[partition] = [message]
    else group.push(message)
  }
  return groups
}

const require = createRequire(import.meta.url)

/** What kafkajs passes to a produce request (v3's arguments). */
interface ProduceRequestArguments {
  readonly acks?: number
  readonly timeout?: number
  readonly transactionalId?: string | null
  readonly producerId?: { toString(): string }
  readonly producerEpoch?: number
  readonly compression?: number
  readonly topicData: readonly ProduceTopicData[]
}

interface KafkaJsRequest {
  readonly apiKey: number
  readonly apiVersion: number
  readonly apiName: string
  expectResponse(): boolean
  encode(): Promise<unknown>
}

/** A produce request v3 as kafkajs's protocol layer takes it, with the body from `encodeProduceRequestBody`. */
function produceRequestV3(original: (args: ProduceRequestArguments) => KafkaJsRequest, Encoder: new () => { writeBuffer(buf: Buffer): unknown }) {
  return (args: ProduceRequestArguments): KafkaJsRequest => {
    if (args.compression !== undefined && args.compression !== 0) return original(args)
    const acks = args.acks ?? -1
    return {
      apiKey: 0,
      apiVersion: 3,
      apiName: 'Produce',
      expectResponse: () => acks !== 0,
      encode: async () =>
        new Encoder().writeBuffer(
          encodeProduceRequestBody({
            acks,
            timeout: args.timeout ?? 30_000,
            transactionalId: args.transactionalId ?? null,
            producerId: args.producerId === undefined ? -1 : Number(args.producerId.toString()),
            producerEpoch: args.producerEpoch ?? 0,
            topicData: args.topicData,
          }),
        ),
    }
  }
}

/** Replaces the exports of kafkajs module `path` (unless a module that keeps them, `loadedBy`, has loaded already). */
function replaceExports<T>(path: string, loadedBy: string, replacement: (original: T) => object): boolean {
  const modulePath = require.resolve(`kafkajs/src/${path}`)
  if (require.cache[require.resolve(`kafkajs/src/${loadedBy}`)] !== undefined) return (require.cache[modulePath]?.exports as { fixed?: boolean } | undefined)?.fixed === true
  const original = require(modulePath) as T
  const cached = require.cache[modulePath]
  if (cached === undefined) return false
  cached.exports = Object.assign(replacement(original), { fixed: true })
  return true
}

function applyFixes(): boolean {
  const grouping = replaceExports('producer/groupMessagesPerPartition.js', 'producer/sendMessages.js', () => (args: GroupingArguments) => groupMessagesPerPartition(args))
  const Encoder = require(require.resolve('kafkajs/src/protocol/encoder.js')) as new () => { writeBuffer(buf: Buffer): unknown }
  const produce = replaceExports('protocol/requests/produce/v3/request.js', 'protocol/requests/produce/v4/request.js', (original: (args: ProduceRequestArguments) => KafkaJsRequest) => produceRequestV3(original, Encoder))
  const records = replaceExports('protocol/recordBatch/record/v0/decoder.js', 'protocol/recordBatch/v0/decoder.js', () => (decoder: KafkaJsDecoder, context: FetchedBatchContext) => decodeFetchedRecord(decoder, context))
  const filterAbortedMessages = require(require.resolve('kafkajs/src/consumer/filterAbortedMessages.js')) as FilterAbortedMessages
  const batches = replaceExports('consumer/batch.js', 'consumer/consumerGroup.js', (original: KafkaJsBatchClass) => fetchedBatchClass(original, filterAbortedMessages))
  retryAddPartitionsQuickly()
  followMovedCoordinators()
  return grouping && produce && records && batches
}

type AddPartitionsToTxn = ((this: unknown, request: unknown) => Promise<unknown>) & { retriesConcurrentTransactions?: boolean }

/**
 * Wraps kafkajs's `Broker.addPartitionsToTxn` in `retryConcurrentTransactions` (on the prototype,
 * so it holds even when kafkajs was loaded first).
 */
function retryAddPartitionsQuickly(): void {
  const Broker = require(require.resolve('kafkajs/src/broker/index.js')) as { prototype: { addPartitionsToTxn: AddPartitionsToTxn } }
  const original = Broker.prototype.addPartitionsToTxn
  if (original.retriesConcurrentTransactions === true) return
  const retrying: AddPartitionsToTxn = function (this: unknown, request: unknown) {
    return retryConcurrentTransactions(() => original.call(this, request))
  }
  retrying.retriesConcurrentTransactions = true
  Broker.prototype.addPartitionsToTxn = retrying
}

type GroupMethod = ((this: KafkaJsConsumerGroup, ...args: unknown[]) => Promise<unknown>) & { followsCoordinator?: boolean }

/**
 * Wraps in `followCoordinator` what kafkajs's `ConsumerGroup` sends its coordinator (heartbeats,
 * commits, LeaveGroup) and what its `OffsetManager` asks it for the committed offsets before a
 * fetch (on the prototypes, so it holds even when kafkajs was loaded first).
 */
function followMovedCoordinators(): void {
  const ConsumerGroup = require(require.resolve('kafkajs/src/consumer/consumerGroup.js')) as { prototype: Record<string, GroupMethod> }
  const OffsetManager = require(require.resolve('kafkajs/src/consumer/offsetManager/index.js')) as { prototype: Record<string, GroupMethod> }
  const wrap = (prototype: Record<string, GroupMethod>, name: string): void => {
    const original = prototype[name]!
    if (original.followsCoordinator === true) return
    const following: GroupMethod = function (this: KafkaJsConsumerGroup, ...args: unknown[]) {
      // A member that leaves (closing, or restarting) looks once: with every broker down it would wait for nothing.
      return followCoordinator(
        () => original.apply(this, args),
        () => findCoordinatorAgain(this),
        name === 'leave' ? { lookups: 1 } : {},
      )
    }
    following.followsCoordinator = true
    prototype[name] = following
  }
  for (const name of ['heartbeat', 'commitOffsets', 'leave']) wrap(ConsumerGroup.prototype, name)
  wrap(OffsetManager.prototype, 'resolveOffsets')
}

const applied = applyFixes()

/**
 * Whether the fixes are in effect (false when kafkajs was loaded before Tributary's Kafka log).
 *
 * @example
 * if (!kafkajsFixesApplied()) console.warn('import tributary before kafkajs: large sends are slow')
 */
export function kafkajsFixesApplied(): boolean {
  return applied
}
