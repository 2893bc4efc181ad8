import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LogRecord } from '../../../core/log/types.js'
import { FetchBuffer, type FetchedBatch, type KeepAlive } from '../../../core/log/kafka/fetch-buffer.js'

const HEARTBEAT_MS = 1000

function batchOf(offsets: readonly number[]): FetchedBatch {
  const records: LogRecord[] = offsets.map((offset) => ({ topic: 't', partition: 0, offset, timestamp: 0, key: null, value: null, headers: [] }))
  return { key: 't:0', topicPartition: { topic: 't', partition: 0 }, fetchedOffset: offsets[0]!, nextOffset: offsets.at(-1)! + 2, highWatermark: 100, records }
}

function keepAlive(overrides: Partial<KeepAlive> = {}): KeepAlive & { beats: number } {
  const alive = { beats: 0, heartbeat: async () => void alive.beats++, isObsolete: () => false, ...overrides }
  return alive
}

/** Whether a promise has settled, after letting pending callbacks run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  await vi.advanceTimersByTimeAsync(0)
  return done
}

describe('FetchBuffer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("hands a partition's first batch back to kafkajs at once, resolved to its last record, and keeps its records for polls", async () => {
    const arrivals = vi.fn()
    const buffer = new FetchBuffer(arrivals)
    await expect(buffer.park(batchOf([5, 6, 7]), keepAlive(), HEARTBEAT_MS)).resolves.toBe(7)
    expect(arrivals).toHaveBeenCalledTimes(1)
    expect(buffer.take('t:0', 2).map((record) => record.offset)).toEqual([5, 6])
    expect(buffer.get('t:0')?.taken).toBe(2)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([7])
    expect(buffer.get('t:0')).toBeUndefined()
  })

  it('holds the batch fetched ahead until polls have taken every record of the one before it', async () => {
    const buffer = new FetchBuffer(() => undefined)
    await buffer.park(batchOf([1, 2]), keepAlive(), HEARTBEAT_MS)
    const ahead = buffer.park(batchOf([4, 5]), keepAlive(), HEARTBEAT_MS)
    expect(buffer.take('t:0', 1).map((record) => record.offset)).toEqual([1])
    expect(await settled(ahead)).toBe(false)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([2])
    await expect(ahead).resolves.toBe(5)
    expect(buffer.get('t:0')?.batch.fetchedOffset).toBe(4)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([4, 5])
  })

  it('drops every batch of a released partition; the one waiting returns unresolved', async () => {
    const buffer = new FetchBuffer(() => undefined)
    await buffer.park(batchOf([1]), keepAlive(), HEARTBEAT_MS)
    const waiting = buffer.park(batchOf([3]), keepAlive(), HEARTBEAT_MS)
    buffer.release('t:0')
    await expect(waiting).resolves.toBeUndefined()
    expect(buffer.get('t:0')).toBeUndefined()
    expect(buffer.take('t:0', 10)).toEqual([])
  })

  it('keeps the batch being read when only the waiting one is released (an obsolete one)', async () => {
    const buffer = new FetchBuffer(() => undefined)
    await buffer.park(batchOf([1, 2]), keepAlive(), HEARTBEAT_MS)
    buffer.take('t:0', 1)
    const waiting = buffer.park(batchOf([4]), keepAlive(), HEARTBEAT_MS)
    buffer.releaseWaiting('t:0')
    await expect(waiting).resolves.toBeUndefined()
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([2])
    expect(buffer.get('t:0')).toBeUndefined()
  })

  it('keeps the waiting batch at a pause, resolved to its last record, and hands it out after the one being read', async () => {
    const buffer = new FetchBuffer(() => undefined)
    await buffer.park(batchOf([1, 2]), keepAlive(), HEARTBEAT_MS)
    buffer.take('t:0', 1)
    const waiting = buffer.park(batchOf([4, 5]), keepAlive(), HEARTBEAT_MS)
    buffer.holdWaiting('t:0')
    await expect(waiting).resolves.toBe(5)
    // After a resume kafkajs fetches after it: that batch waits behind both.
    const next = buffer.park(batchOf([7]), keepAlive(), HEARTBEAT_MS)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([2])
    expect(await settled(next)).toBe(false)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([4, 5])
    await expect(next).resolves.toBe(7)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([7])
  })

  it('goes on after offsets kafkajs skipped right after the last queued batch', async () => {
    const buffer = new FetchBuffer(() => undefined)
    expect(buffer.skipped('t:0', 3, 5)).toBe(false)
    await buffer.park(batchOf([1]), keepAlive(), HEARTBEAT_MS) // nextOffset 3
    expect(buffer.skipped('t:0', 4, 6)).toBe(false)
    expect(buffer.skipped('t:0', 3, 6)).toBe(true)
    expect(buffer.get('t:0')?.nextOffset).toBe(6)
  })

  it('heartbeats while a batch waits', async () => {
    const alive = keepAlive()
    const buffer = new FetchBuffer(() => undefined)
    await buffer.park(batchOf([1]), keepAlive(), HEARTBEAT_MS)
    const waiting = buffer.park(batchOf([3]), alive, HEARTBEAT_MS)
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 3 + 10)
    expect(alive.beats).toBe(3)
    buffer.take('t:0', 1)
    await expect(waiting).resolves.toBe(3)
  })

  it('gives up a waiting batch that became obsolete (a seek is pending in kafkajs)', async () => {
    const buffer = new FetchBuffer(() => undefined)
    await buffer.park(batchOf([1]), keepAlive(), HEARTBEAT_MS)
    const waiting = buffer.park(batchOf([3]), keepAlive({ isObsolete: () => true }), HEARTBEAT_MS)
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS + 10)
    await expect(waiting).resolves.toBeUndefined()
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([1])
    expect(buffer.get('t:0')).toBeUndefined()
  })

  it('releases every batch and rethrows when a heartbeat reports a rebalance', async () => {
    const buffer = new FetchBuffer(() => undefined)
    const rebalance = new Error('The group is rebalancing')
    await buffer.park(batchOf([1]), keepAlive(), HEARTBEAT_MS)
    const failing = buffer.park(batchOf([3]), keepAlive({ heartbeat: () => Promise.reject(rebalance) }), HEARTBEAT_MS)
    const other = { ...batchOf([9]), key: 't:1', topicPartition: { topic: 't', partition: 1 } }
    await buffer.park(other, keepAlive(), HEARTBEAT_MS * 10)
    const otherWaiting = buffer.park({ ...other, records: [{ ...other.records[0]!, offset: 11 }], fetchedOffset: 11 }, keepAlive(), HEARTBEAT_MS * 10)
    const outcome = expect(failing).rejects.toBe(rebalance)
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS + 10)
    await outcome
    await expect(otherWaiting).resolves.toBeUndefined()
    expect(buffer.get('t:0')).toBeUndefined()
    expect(buffer.get('t:1')).toBeUndefined()
  })
})
