import type { Admin, Kafka } from 'kafkajs'
import { LogError } from '../errors.js'
import type { TopicPartitionOffset } from '../types.js'
import { fixedAssigner } from './assigners.js'
import { kafkaErrorType, toLogError } from './errors.js'

/** Group states in which no member is in the group. */
const MEMBERLESS_STATES: ReadonlySet<string> = new Set(['Empty', 'Dead', 'Unknown'])

/**
 * Commits offsets for a group this consumer is not a member of (it never subscribed, or reads
 * assigned partitions). Kafka takes such a commit only while the group has no members, as Java's
 * client does for an assigned consumer; kafkajs sends commits only as a member, so this joins the
 * group briefly as a member that is given no partitions, commits, and leaves. On a broker with
 * the default `group.initial.rebalance.delay.ms` that join takes about 3 s.
 *
 * @example
 * await commitOutsideGroup({ client, admin }, 'billing', [{ topic: 'orders', partition: 0, offset: 42 }])
 */
export async function commitOutsideGroup(
  clients: { readonly client: Kafka; readonly admin: Admin },
  groupId: string,
  offsets: readonly TopicPartitionOffset[],
): Promise<void> {
  if (offsets.length === 0) return
  await requireNoMembers(clients.admin, groupId)
  const consumer = clients.client.consumer({
    groupId,
    partitionAssigners: [fixedAssigner(() => [])],
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  })
  try {
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve())
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error))
    })
    await consumer.connect()
    await consumer.subscribe({ topics: [...new Set(offsets.map(({ topic }) => topic))] })
    await Promise.all([consumer.run({ autoCommit: false, eachBatch: async () => undefined }), joined])
    await consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })))
  } catch (error) {
    throw toLogError(error, { operation: 'commit', groupId, ...(offsets[0] === undefined ? {} : { topic: offsets[0].topic }) })
  } finally {
    await consumer.disconnect().catch(() => undefined)
  }
}

async function requireNoMembers(admin: Admin, groupId: string): Promise<void> {
  let state: string | undefined
  try {
    const { groups } = await admin.describeGroups([groupId])
    state = groups.find((group) => group.groupId === groupId)?.state
  } catch (error) {
    if (kafkaErrorType(error) === 'GROUP_ID_NOT_FOUND') return
    throw toLogError(error, { operation: 'commit', groupId })
  }
  if (state !== undefined && !MEMBERLESS_STATES.has(state)) {
    throw new LogError(
      'TRIBUTARY_KAFKA',
      `cannot commit for group ${groupId} from outside it: the group has members (state ${state}); commit from a subscribed member, or stop the group first`,
      { retriable: true },
    )
  }
}
