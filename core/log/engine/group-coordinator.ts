import type { Clock } from '../../clock.js'
import type { RebalanceListener, TopicPartition, TopicPartitionOffset } from '../types.js'
import { parsePartitionKey, partitionKey } from './partition-key.js'
import { assignPartitions } from './sticky-assignor.js'

interface Member {
  readonly id: string
  topics: ReadonlySet<string>
  readonly listener: RebalanceListener | undefined
  /** Partitions the member processes now. */
  readonly owned: Set<string>
  /** Partitions the latest assignment gives it. */
  target: ReadonlySet<string>
  lastSeenMs: number
  readonly wake: () => void
}

interface Group {
  readonly members: Map<string, Member>
  /** partition key → the member that owns it. */
  readonly owner: Map<string, string>
  readonly offsets: Map<string, number>
}

/** Changes a member must act on at its next poll. */
export interface AssignmentChange {
  readonly revoked: TopicPartition[]
  readonly assigned: TopicPartition[]
  readonly listener: RebalanceListener | undefined
  /** The member was removed (its session timed out): its partitions are lost and it must rejoin. */
  readonly expelled: boolean
}

export interface OffsetStore {
  /** Persists committed offsets (the embedded log's `__consumer_offsets` topic). */
  persist(groupId: string, offsets: readonly TopicPartitionOffset[]): void
  /** Every offset persisted so far, oldest first. */
  load(): Iterable<{ groupId: string; topic: string; partition: number; offset: number }>
}

/**
 * Consumer groups of the in-process logs (embedded and memory). Rebalancing is cooperative: a partition that moves
 * is first revoked by its old owner (at its next poll, after its `onRevoked`), and only then
 * handed to the new one, so two members never process a partition at once.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>()

  constructor(
    private readonly partitionsOf: (topic: string) => number,
    private readonly offsetStore: OffsetStore,
    private readonly clock: Clock,
  ) {
    for (const { groupId, topic, partition, offset } of offsetStore.load()) {
      this.group(groupId).offsets.set(partitionKey(topic, partition), offset)
    }
  }

  join(groupId: string, memberId: string, topics: readonly string[], listener: RebalanceListener | undefined, wake: () => void): void {
    const group = this.group(groupId)
    const existing = group.members.get(memberId)
    if (existing) existing.topics = new Set(topics)
    else {
      group.members.set(memberId, { id: memberId, topics: new Set(topics), listener, owned: new Set(), target: new Set(), lastSeenMs: this.clock.now(), wake })
    }
    this.rebalance(group)
  }

  /** Removes a member; its partitions go to the others at once. */
  leave(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId)
    const member = group?.members.get(memberId)
    if (!group || !member) return
    group.members.delete(memberId)
    for (const [key, owner] of group.owner) if (owner === memberId) group.owner.delete(key)
    this.rebalance(group)
  }

  /** Called at each poll: what the member must revoke now, and what it may take now. */
  sync(groupId: string, memberId: string, sessionTimeoutMs: number): AssignmentChange {
    const group = this.group(groupId)
    const now = this.clock.now()
    const member = group.members.get(memberId)
    if (!member) return { revoked: [], assigned: [], listener: undefined, expelled: true }
    member.lastSeenMs = now
    this.expire(group, now, sessionTimeoutMs)
    const revoked: TopicPartition[] = []
    for (const key of member.owned) {
      if (member.target.has(key)) continue
      // No longer the member's, but still held by it (group.owner) until `released`: its
      // revocation callback commits first, and only then may another member take it.
      member.owned.delete(key)
      revoked.push(parsePartitionKey(key))
    }
    const assigned: TopicPartition[] = []
    for (const key of member.target) {
      if (member.owned.has(key) || group.owner.has(key)) continue
      member.owned.add(key)
      group.owner.set(key, member.id)
      assigned.push(parsePartitionKey(key))
    }
    return { revoked, assigned, listener: member.listener, expelled: false }
  }

  /**
   * A member has finished revoking these partitions (its callback committed what it had):
   * from now on other members may take them.
   */
  released(groupId: string, memberId: string, partitions: readonly TopicPartition[]): void {
    const group = this.groups.get(groupId)
    if (!group) return
    const member = group.members.get(memberId)
    for (const { topic, partition } of partitions) {
      const key = partitionKey(topic, partition)
      if (group.owner.get(key) === memberId && !member?.owned.has(key)) group.owner.delete(key)
    }
    for (const other of group.members.values()) if (other !== member) other.wake()
  }

  /** True when the member owns every partition its assignment gives it. */
  settled(groupId: string, memberId: string): boolean {
    const member = this.groups.get(groupId)?.members.get(memberId)
    if (!member) return true
    for (const key of member.target) if (!member.owned.has(key)) return false
    return member.owned.size === member.target.size
  }

  owned(groupId: string, memberId: string): TopicPartition[] {
    const member = this.groups.get(groupId)?.members.get(memberId)
    return member ? [...member.owned].map(parsePartitionKey) : []
  }

  commit(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    if (offsets.length === 0) return
    this.offsetStore.persist(groupId, offsets)
    const group = this.group(groupId)
    for (const { topic, partition, offset } of offsets) group.offsets.set(partitionKey(topic, partition), offset)
  }

  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.offsets.get(partitionKey(topic, partition))
  }

  /** Re-runs assignment for groups that read `topic` (after it is created or deleted). */
  topicChanged(topic: string): void {
    for (const group of this.groups.values()) {
      if ([...group.members.values()].some((member) => member.topics.has(topic))) this.rebalance(group)
    }
  }

  private expire(group: Group, now: number, sessionTimeoutMs: number): void {
    let changed = false
    for (const member of group.members.values()) {
      if (now - member.lastSeenMs <= sessionTimeoutMs) continue
      group.members.delete(member.id)
      // Everything it held, also partitions it was still revoking when it went silent.
      for (const [key, owner] of group.owner) if (owner === member.id) group.owner.delete(key)
      changed = true
    }
    if (changed) this.rebalance(group)
  }

  private rebalance(group: Group): void {
    const members = [...group.members.values()]
    const targets = assignPartitions(
      members.map((member) => ({ id: member.id, topics: member.topics, owned: member.owned })),
      (topic) => this.partitionsOf(topic),
    )
    for (const member of members) {
      member.target = targets.get(member.id) ?? new Set()
      member.wake()
    }
  }

  private group(groupId: string): Group {
    let group = this.groups.get(groupId)
    if (!group) {
      group = { members: new Map(), owner: new Map(), offsets: new Map() }
      this.groups.set(groupId, group)
    }
    return group
  }
}

