import { afterEach, describe, expect, test, vi } from 'vitest'
import { OffsetMap } from '../../../core/log/embedded/offset-map.js'
import { Segment } from '../../../core/log/embedded/segment.js'
import type { LogRecord } from '../../../core/log/types.js'
import { ManualClock } from '../../../core/manual-clock.js'
import { readAll, useDataDir } from './helpers.js'

const DAY_MS = 86_400_000
const KEYS = 600
const text = (buffer: Buffer | null): string | null => (buffer === null ? null : buffer.toString())
const plain = (record: LogRecord) => ({ offset: record.offset, key: text(record.key), value: text(record.value) })

describe('compaction in bounded memory', () => {
  const small = useDataDir()
  const large = useDataDir()
  afterEach(() => {
    vi.restoreAllMocks()
  })

  /**
   * Writes the same history to a compact topic: every key four times, then tombstones for every
   * seventh key, then new values for every fourteenth, then a filler that seals all of it.
   */
  async function writeHistory(data: ReturnType<typeof useDataDir>, clock: ManualClock, compactionBufferBytes?: number) {
    const log = await data.open({ clock, ...(compactionBufferBytes === undefined ? {} : { compactionBufferBytes }) })
    await log.createTopic('table', { partitions: 1, cleanup: 'compact', segmentBytes: 4096, deleteRetentionMs: DAY_MS })
    const producer = log.producer()
    const send = (key: number, value: string | null) => producer.send([{ topic: 'table', partition: 0, key: Buffer.from(`key-${key}`), value: value === null ? null : Buffer.from(value) }])
    for (let round = 0; round < 4; round++) for (let key = 0; key < KEYS; key++) await send(key, `${key}@${round}`)
    for (let key = 0; key < KEYS; key += 7) await send(key, null)
    for (let key = 0; key < KEYS; key += 14) await send(key, `${key}@again`)
    for (let filler = 0; filler < 200; filler++) await send(KEYS + filler, 'x'.repeat(60))
    return log
  }

  test('a key map too small for every key compacts in several passes to what one pass gives', async () => {
    const clock = new ManualClock(1_000)
    const bounded = await writeHistory(small, clock, 4096)
    const unbounded = await writeHistory(large, clock)
    clock.advance(2 * DAY_MS)
    const passes = vi.spyOn(OffsetMap.prototype, 'clear')
    const boundedResult = await bounded.runMaintenance()
    expect(passes.mock.calls.length).toBeGreaterThan(3)
    passes.mockClear()
    const unboundedResult = await unbounded.runMaintenance()
    expect(passes.mock.calls.length).toBe(1)
    const records = (await readAll(bounded.consumer(), 'table')).map(plain)
    expect(records).toEqual((await readAll(unbounded.consumer(), 'table')).map(plain))
    expect(boundedResult.recordsCompacted).toBe(unboundedResult.recordsCompacted)
    const latest = new Map(records.map((record) => [record.key, record.value]))
    for (let key = 0; key < KEYS; key++) {
      const expected = key % 14 === 0 ? `${key}@again` : key % 7 === 0 ? undefined : `${key}@3`
      expect(latest.get(`key-${key}`)).toBe(expected)
      expect(records.filter((record) => record.key === `key-${key}`).length).toBe(expected === undefined ? 0 : 1)
    }
  })

  test('a compaction buffer below 4 KiB is refused with a ConfigError naming the option', async () => {
    await expect(small.open({ compactionBufferBytes: 100 })).rejects.toMatchObject({ code: 'TRIBUTARY_CONFIG', field: 'compactionBufferBytes' })
  })

  test('reads and writes a segment a few MB at a time, never whole', async () => {
    const log = await large.open({ clock: new ManualClock(1_000) })
    await log.createTopic('big', { partitions: 1, cleanup: 'compact', segmentBytes: 8 * 1024 * 1024 })
    const producer = log.producer()
    const value = Buffer.alloc(1000, 1)
    for (let first = 0; first < 9_000; first += 100) {
      await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic: 'big', partition: 0, key: Buffer.from(`key-${(first + i) % 500}`), value })))
    }
    const read = vi.spyOn(Segment.prototype, 'read')
    const { segmentsCompacted, recordsCompacted } = await log.runMaintenance()
    expect(segmentsCompacted).toBe(1)
    expect(recordsCompacted).toBeGreaterThan(7_000)
    const largestRead = Math.max(...read.mock.calls.map(([, length]) => length))
    expect(largestRead).toBeLessThanOrEqual(4 * 1024 * 1024)
    const records = await readAll(log.consumer(), 'big')
    expect(new Set(records.map((record) => text(record.key))).size).toBe(500)
  })
})
