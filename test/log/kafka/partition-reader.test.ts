import { describe, expect, it } from 'vitest'
import { FetchBuffer, type FetchedBatch, type KeepAlive } from '../../../core/log/kafka/fetch-buffer.js'
import type { OffsetRange } from '../../../core/log/kafka/offset-lookup.js'
import { PartitionReader } from '../../../core/log/kafka/partition-reader.js'
import { PartitionStates } from '../../../core/log/kafka/partition-states.js'
import type { LogRecord, TopicPartition } from '../../../core/log/types.js'

const PARTITION: TopicPartition = { topic: 't', partition: 0 }
const keepAlive: KeepAlive = { heartbeat: async () => undefined, isObsolete: () => false }
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }

/** A fetched batch of offsets `from` .. `to - 1`, fetched from `fetchedOffset`. */
function batchOf(fetchedOffset: number, from: number, to: number): FetchedBatch {
  const records: LogRecord[] = []
  for (let offset = from; offset < to; offset++) records.push({ ...PARTITION, offset, timestamp: 0, key: null, value: null, headers: [] })
  return { key: 't:0', topicPartition: PARTITION, fetchedOffset, nextOffset: to, highWatermark: 1_000, records }
}

/** A reader of one partition at `position` whose partition holds offsets 0 .. 999, with the seeks it makes of kafkajs. */
function readerAt(position: number, range: OffsetRange = { start: 0, end: 1_000 }) {
  const states = new PartitionStates()
  const state = states.add(PARTITION, range, position, undefined)
  state.fetching = true
  const buffer = new FetchBuffer(() => undefined)
  const seeks: number[] = []
  const reader = new PartitionReader({
    states,
    buffer,
    offsets: { rangesOf: async () => new Map([['t:0', range]]) },
    reset: { policy: 'earliest', owner: 'the consumer', logger: silent },
    session: () => ({ seek: (_partition: TopicPartition, offset: number) => void seeks.push(offset) }),
  })
  return { reader, buffer, state, seeks }
}

describe('PartitionReader', () => {
  it('reads a batch fetched from the position', async () => {
    const { reader, buffer, state, seeks } = readerAt(460)
    await buffer.park(batchOf(460, 460, 470), keepAlive, 1_000)
    expect((await reader.read(100)).map((record) => record.offset)).toEqual([460, 461, 462, 463, 464, 465, 466, 467, 468, 469])
    expect(state.position).toBe(470)
    expect(seeks).toEqual([])
  })

  it('never skips to a batch fetched from past the position (kafkajs fetched past a batch dropped half read): kafkajs is sought back, and the records in between are read', async () => {
    const { reader, buffer, state, seeks } = readerAt(460)
    await buffer.park(batchOf(480, 480, 490), keepAlive, 1_000)
    expect(await reader.read(100)).toEqual([])
    expect(state.position).toBe(460)
    expect(seeks).toEqual([460])
    expect(buffer.get('t:0')).toBeUndefined()
    await buffer.park(batchOf(460, 460, 490), keepAlive, 1_000)
    const offsets = (await reader.read(100)).map((record) => record.offset)
    expect(offsets).toEqual(Array.from({ length: 30 }, (_, i) => 460 + i))
  })

  it('drops a batch fetched from before the position (a fetch from before a seek), seeking kafkajs to the position', async () => {
    const { reader, buffer, state, seeks } = readerAt(460)
    await buffer.park(batchOf(450, 450, 470), keepAlive, 1_000)
    expect(await reader.read(100)).toEqual([])
    expect(state.position).toBe(460)
    expect(seeks).toEqual([460])
  })

  it('follows kafkajs to the start of the partition when the position fell below it (records deleted), by the reset policy', async () => {
    const { reader, buffer, state, seeks } = readerAt(10, { start: 200, end: 1_000 })
    await buffer.park(batchOf(200, 200, 205), keepAlive, 1_000)
    expect((await reader.read(100)).map((record) => record.offset)).toEqual([200, 201, 202, 203, 204])
    expect(state.position).toBe(205)
    expect(seeks).toEqual([])
  })
})
