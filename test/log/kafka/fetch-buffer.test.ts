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

describe('FetchBuffer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('keeps a batch until polls have taken all of it, then resolves with the last offset taken', async () => {
    const arrivals = vi.fn()
    const buffer = new FetchBuffer(arrivals)
    const parked = buffer.park(batchOf([5, 6, 7]), keepAlive(), HEARTBEAT_MS)
    expect(arrivals).toHaveBeenCalledTimes(1)
    expect(buffer.take('t:0', 2).map((record) => record.offset)).toEqual([5, 6])
    expect(buffer.get('t:0')?.taken).toBe(2)
    expect(buffer.take('t:0', 10).map((record) => record.offset)).toEqual([7])
    await expect(parked).resolves.toBe(7)
    expect(buffer.get('t:0')).toBeUndefined()
  })

  it('resolves a released batch with what was taken of it, or nothing', async () => {
    const buffer = new FetchBuffer(() => undefined)
    const partly = buffer.park(batchOf([5, 6, 7]), keepAlive(), HEARTBEAT_MS)
    buffer.take('t:0', 1)
    buffer.release('t:0')
    await expect(partly).resolves.toBe(5)
    const untouched = buffer.park(batchOf([8]), keepAlive(), HEARTBEAT_MS)
    buffer.releaseAll()
    await expect(untouched).resolves.toBeUndefined()
  })

  it('heartbeats while a batch waits', async () => {
    const alive = keepAlive()
    const buffer = new FetchBuffer(() => undefined)
    const parked = buffer.park(batchOf([1]), alive, HEARTBEAT_MS)
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 3 + 10)
    expect(alive.beats).toBe(3)
    buffer.take('t:0', 1)
    await expect(parked).resolves.toBe(1)
  })

  it('gives up a batch that became obsolete (a seek is pending in kafkajs)', async () => {
    const buffer = new FetchBuffer(() => undefined)
    const parked = buffer.park(batchOf([1]), keepAlive({ isObsolete: () => true }), HEARTBEAT_MS)
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS + 10)
    await expect(parked).resolves.toBeUndefined()
    expect(buffer.get('t:0')).toBeUndefined()
  })

  it('releases every batch and rethrows when a heartbeat reports a rebalance', async () => {
    const buffer = new FetchBuffer(() => undefined)
    const rebalance = new Error('The group is rebalancing')
    const failing = buffer.park(batchOf([1]), keepAlive({ heartbeat: () => Promise.reject(rebalance) }), HEARTBEAT_MS)
    const other = buffer.park({ ...batchOf([9]), key: 't:1', topicPartition: { topic: 't', partition: 1 } }, keepAlive(), HEARTBEAT_MS * 10)
    const outcome = expect(failing).rejects.toBe(rebalance)
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS + 10)
    await outcome
    await expect(other).resolves.toBeUndefined()
  })
})
