/**
 * Reads what kafkajs fetched for the assigned partitions: the records at each partition's
 * position, in offset order, skipping paused partitions and starting at a different partition
 * each poll so that one busy partition cannot starve the rest.
 *
 * A batch that does not start at the partition's position is checked against the partition's
 * range before anything of it is returned. kafkajs fetches from somewhere else after a fetch out
 * of range (it resets to the earliest or latest offset): a position out of range, handled by the
 * consumer's reset policy as on the other backends. Otherwise the batch is dropped and kafkajs
 * sought back to the position, whether the batch starts before it (a fetch from before a seek)
 * or after it: kafkajs fetches past a batch that was dropped half read (a heartbeat failing while
 * the coordinator moves) and past fetches that held only control records, and the batch alone
 * cannot tell those apart. Reading on from it would skip the records in between; the fetch from
 * the position returns them, or reports the control records skipped (see the consumer's
 * onSkipped).
 *
 * Positions are the consumer's own; every move of one is mirrored to kafkajs's fetch position,
 * and a sought one is checked against the partition's range at the next poll.
 */
import { OffsetOutOfRangeError } from '../errors.js'
import type { LogRecord } from '../types.js'
import type { FetchBuffer, FetchedBatch } from './fetch-buffer.js'
import type { KafkaJsSession } from './kafkajs-session.js'
import type { OffsetLookup } from './offset-lookup.js'
import type { PartitionState, PartitionStates } from './partition-states.js'
import { resetPosition, type ResetPolicy } from './positions.js'

export interface ReaderParts {
  readonly states: PartitionStates
  readonly buffer: FetchBuffer
  readonly offsets: Pick<OffsetLookup, 'rangesOf'>
  readonly reset: ResetPolicy
  session(): Pick<KafkaJsSession, 'seek'> | undefined
}

export class PartitionReader {
  private rotation = 0

  constructor(private readonly parts: ReaderParts) {}

  /** Up to `maxRecords` records; throws the OffsetOutOfRangeError of a partition that has one (policy `none`). */
  async read(maxRecords: number): Promise<LogRecord[]> {
    const states = this.parts.states.list()
    const out: LogRecord[] = []
    for (let i = 0; i < states.length && out.length < maxRecords; i++) {
      const state = states[(this.rotation + i) % states.length]!
      if (state.failure !== undefined) throw state.failure
      if (state.paused || !state.fetching || state.position === undefined) continue
      const parked = this.parts.buffer.get(state.key)
      if (parked === undefined) continue
      if (!parked.verified && parked.taken === 0 && parked.batch.fetchedOffset !== state.position && !(await this.verify(state, parked.batch))) continue
      this.parts.buffer.markVerified(state.key)
      const records = this.parts.buffer.take(state.key, maxRecords - out.length)
      const last = records.at(-1)
      if (last === undefined) continue
      out.push(...records)
      // What the fetch saw of the partition's end: the consumer's lag is known up to it.
      if (parked.batch.highWatermark > state.range.end) state.range = { start: state.range.start, end: parked.batch.highWatermark }
      // Once the batch is all taken, reading goes on after its trailing control records too.
      state.position = parked.taken >= parked.batch.records.length ? parked.nextOffset : last.offset + 1
    }
    this.rotation = states.length === 0 ? 0 : (this.rotation + 1) % states.length
    return out
  }

  /**
   * Checks the positions `seek` set against the partitions' ranges: one past the end is an
   * invalid seek (undone, and thrown); one below the start (records deleted since) is reset by
   * the consumer's policy, as a fetch out of range would be.
   */
  async checkSeeks(): Promise<void> {
    const pending = this.parts.states.list().filter((state) => state.pendingSeek !== undefined)
    if (pending.length === 0) return
    const ranges = await this.parts.offsets.rangesOf(pending.map((state) => state.topicPartition))
    for (const state of pending) {
      const range = ranges.get(state.key)
      const previous = state.pendingSeek?.previous
      state.pendingSeek = undefined
      const offset = state.position
      if (range === undefined || offset === undefined) continue
      state.range = range
      const { topic, partition } = state.topicPartition
      if (offset > range.end) {
        if (previous !== undefined) this.moveTo(state, previous)
        throw new OffsetOutOfRangeError(topic, partition, offset, range.start, range.end)
      }
      if (offset < range.start) {
        try {
          this.moveTo(state, resetPosition(state.topicPartition, offset, range, this.parts.reset, 'position'))
        } catch (error) {
          if (error instanceof OffsetOutOfRangeError) state.failure = error
          throw error
        }
      }
    }
  }

  /** Moves a partition's position (and kafkajs's fetch position) to `offset`, dropping what was fetched from elsewhere. */
  moveTo(state: PartitionState, offset: number): void {
    state.position = offset
    state.failure = undefined
    this.parts.buffer.release(state.key)
    if (!state.fetching) return
    this.parts.session()?.seek(state.topicPartition, offset)
    state.soughtTo = offset
  }

  /** Whether the batch may be read from its start; if not, it is released and kafkajs sought. */
  private async verify(state: PartitionState, batch: FetchedBatch): Promise<boolean> {
    const expected = state.position!
    const ranges = await this.parts.offsets.rangesOf([state.topicPartition])
    const listed = ranges.get(state.key)!
    // The admin lists read_committed end offsets; the fetch knows the high watermark.
    const range = { start: listed.start, end: Math.max(listed.end, batch.highWatermark) }
    state.range = range
    if (this.parts.buffer.get(state.key)?.batch !== batch || state.position !== expected) return false
    if (expected >= range.start && expected <= range.end) {
      this.moveTo(state, expected)
      return false
    }
    try {
      const target = resetPosition(state.topicPartition, expected, range, this.parts.reset, 'position')
      if (target === batch.fetchedOffset) {
        state.position = target
        return true
      }
      this.moveTo(state, target)
      return false
    } catch (error) {
      if (error instanceof OffsetOutOfRangeError) state.failure = error
      this.parts.buffer.release(state.key)
      throw error
    }
  }
}
