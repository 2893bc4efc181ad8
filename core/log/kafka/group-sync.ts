/**
 * A consumer's side of its group, applied inside `poll` as Java's consumer does: revocation when
 * the member is about to rejoin (its JoinGroup waits in the gate until `onRevoked` has run, so
 * the new owner starts from what was committed there), then each new assignment: start
 * positions from the group's committed offsets or the reset policy, kafkajs sought to them, and
 * `onAssigned`.
 *
 * The protocol is Kafka's eager one (kafkajs has no other): a rejoining member gives up every
 * partition, so `onRevoked` gets all it owned and `onAssigned` all it got, kept ones included.
 */
import { partitionKey } from '../engine/partition-key.js'
import type { RebalanceListener, TopicPartition } from '../types.js'
import type { FetchBuffer } from './fetch-buffer.js'
import type { JoinGate } from './join-gate.js'
import type { KafkaJsSession } from './kafkajs-session.js'
import type { OffsetLookup } from './offset-lookup.js'
import type { PartitionState, PartitionStates } from './partition-states.js'
import { startPosition, type ResetPolicy } from './positions.js'

export interface GroupParts {
  readonly states: PartitionStates
  readonly buffer: FetchBuffer
  readonly offsets: OffsetLookup
  readonly reset: ResetPolicy
  session(): KafkaJsSession | undefined
  groupId(): string | undefined
}

export class GroupSync {
  listener: RebalanceListener | undefined
  /** The current session's gate. */
  gate: JoinGate | undefined
  /** Whether the current session has completed a join (kafkajs then takes seeks, pauses and commits). */
  joined = false
  private pending: readonly TopicPartition[] | undefined

  constructor(private readonly parts: GroupParts) {}

  /**
   * Called inside kafkajs when a join completes, before it fetches: every position must be
   * given to kafkajs again, by the next poll.
   */
  joinedWith(assignment: readonly TopicPartition[]): void {
    this.joined = true
    this.pending = assignment
    for (const state of this.parts.states.list()) state.fetching = false
    this.parts.buffer.releaseAll()
  }

  /** For a group member: pending revocation, then the latest assignment. */
  async sync(): Promise<void> {
    if (this.gate?.waiting) await this.revokeAll()
    while (this.pending !== undefined) {
      const assignment = this.pending
      this.pending = undefined
      await this.apply(assignment)
    }
  }

  /** For assigned partitions (a one-member group of its own): after a join, kafkajs is sought to every position again. */
  async resync(): Promise<void> {
    if (this.pending === undefined) return
    this.pending = undefined
    for (const state of this.parts.states.list()) this.activate(state)
  }

  /** Gives up every partition: onRevoked (where the app commits), then the held rejoin may go. */
  async revokeAll(): Promise<void> {
    const revoked = this.parts.states.assignment()
    this.parts.states.clear()
    this.parts.buffer.releaseAll()
    try {
      if (revoked.length > 0) await this.listener?.onRevoked?.(revoked)
    } finally {
      this.gate?.open()
    }
  }

  /** Seeks kafkajs to the partition's position and lets it fetch, once the session has joined. */
  activate(state: PartitionState): void {
    const session = this.parts.session()
    if (!this.joined || session === undefined || state.position === undefined) return
    session.seek(state.topicPartition, state.position)
    state.soughtTo = state.position
    state.fetching = true
    if (!state.paused) session.resume([state.topicPartition])
  }

  /** Forgets the session (its held rejoin, if any, goes out so that stopping it cannot hang). */
  reset(): void {
    this.gate?.open()
    this.gate = undefined
    this.joined = false
    this.pending = undefined
  }

  private async apply(assignment: readonly TopicPartition[]): Promise<void> {
    const { states, buffer, offsets, reset } = this.parts
    const assigned = new Set(assignment.map(({ topic, partition }) => partitionKey(topic, partition)))
    const revoked = states.assignment().filter(({ topic, partition }) => !assigned.has(partitionKey(topic, partition)))
    for (const topicPartition of revoked) {
      buffer.release(partitionKey(topicPartition.topic, topicPartition.partition))
      states.delete(topicPartition)
    }
    if (revoked.length > 0) await this.listener?.onRevoked?.(revoked)
    for (const state of states.list()) this.activate(state)
    const added = assignment.filter((topicPartition) => states.find(topicPartition) === undefined)
    if (added.length === 0) return
    const groupId = this.parts.groupId()
    const [ranges, committed] = await Promise.all([offsets.rangesOf(added), groupId === undefined ? [] : offsets.committed(groupId, added)])
    added.forEach((topicPartition, index) => {
      const range = ranges.get(partitionKey(topicPartition.topic, topicPartition.partition))!
      const { position, failure } = startPosition(topicPartition, committed[index], range, reset)
      this.activate(states.add(topicPartition, range, position, failure))
    })
    await this.listener?.onAssigned?.(added)
  }
}
