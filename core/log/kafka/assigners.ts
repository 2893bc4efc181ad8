import './kafkajs-fixes.js'
import kafkajs, { type PartitionAssigner } from 'kafkajs'
import type { TopicPartition } from '../types.js'

const FIXED_ASSIGNER_NAME = 'TributaryFixedAssignment'

/**
 * A partition assigner that gives every member exactly `partitions()`. kafkajs has no manual
 * assignment, so a consumer's `assign()` joins a group of its own (one member, so no one else's
 * partitions are touched) whose assignment is precisely the partitions asked for.
 *
 * @example
 * kafka.consumer({ groupId: privateGroupId, partitionAssigners: [fixedAssigner(() => requested)] })
 */
export function fixedAssigner(partitions: () => readonly TopicPartition[]): PartitionAssigner {
  return () => ({
    name: FIXED_ASSIGNER_NAME,
    version: 0,
    protocol: ({ topics }) => ({
      name: FIXED_ASSIGNER_NAME,
      metadata: kafkajs.AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    }),
    assign: async ({ members }) => {
      const assignment: Record<string, number[]> = {}
      for (const { topic, partition } of partitions()) (assignment[topic] ??= []).push(partition)
      const memberAssignment = kafkajs.AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) })
      return members.map(({ memberId }) => ({ memberId, memberAssignment }))
    },
  })
}
