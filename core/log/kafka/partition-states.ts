import { LogError, type OffsetOutOfRangeError } from '../errors.js'
import { partitionKey } from '../engine/partition-key.js'
import type { TopicPartition } from '../types.js'
import type { OffsetRange } from './offset-lookup.js'

/** What a Kafka consumer knows of one partition it reads. */
export interface PartitionState {
  readonly topicPartition: TopicPartition
  readonly key: string
  /**
   * The offset of the next record poll returns. kafkajs fetches from here, or after the batches
   * it fetched from here that wait in the fetch buffer; a seek moves both. Undefined when there
   * is none (autoOffsetReset 'none' without a committed offset).
   */
  position: number | undefined
  paused: boolean
  /** kafkajs has been sought to `position` since its last group join, and fetches (unless paused). */
  fetching: boolean
  /**
   * `seek` set the position: the next poll checks it against the partition's range, and goes back
   * to `previous` if the seek was past the end.
   */
  pendingSeek: { readonly previous: number | undefined } | undefined
  /** The range last read, for checking a seek without a round trip. */
  range: OffsetRange
  /** Out of range under autoOffsetReset 'none': every poll throws it until a seek. */
  failure: OffsetOutOfRangeError | undefined
  /**
   * kafkajs was sought here and has handed nothing over for the partition since: its next fetch
   * of the partition starts at this offset (kafkajs drops what it fetched before a seek).
   */
  soughtTo: number | undefined
}

/** The partitions a consumer reads, by `partitionKey`, in assignment order. */
export class PartitionStates {
  private readonly states = new Map<string, PartitionState>()

  get size(): number {
    return this.states.size
  }

  add(topicPartition: TopicPartition, range: OffsetRange, position: number | undefined, failure: OffsetOutOfRangeError | undefined): PartitionState {
    const { topic, partition } = topicPartition
    const state: PartitionState = {
      topicPartition: { topic, partition },
      key: partitionKey(topic, partition),
      position,
      paused: false,
      fetching: false,
      pendingSeek: undefined,
      range,
      failure,
      soughtTo: undefined,
    }
    this.states.set(state.key, state)
    return state
  }

  find(topicPartition: TopicPartition): PartitionState | undefined {
    return this.states.get(partitionKey(topicPartition.topic, topicPartition.partition))
  }

  /** The state of an assigned partition; a LogError (TRIBUTARY_NOT_ASSIGNED) for any other. */
  get(topicPartition: TopicPartition): PartitionState {
    const state = this.find(topicPartition)
    if (state === undefined) {
      throw new LogError('TRIBUTARY_NOT_ASSIGNED', `${topicPartition.topic}-${topicPartition.partition} is not assigned to this consumer`)
    }
    return state
  }

  /** The given partitions' states, or every state. */
  list(partitions?: readonly TopicPartition[]): PartitionState[] {
    return partitions === undefined ? [...this.states.values()] : partitions.map((partition) => this.get(partition))
  }

  delete(topicPartition: TopicPartition): void {
    this.states.delete(partitionKey(topicPartition.topic, topicPartition.partition))
  }

  clear(): void {
    this.states.clear()
  }

  assignment(): TopicPartition[] {
    return [...this.states.values()].map((state) => state.topicPartition)
  }
}
