import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { ManualClock } from '../../../core/manual-clock.js'
import { writeLogStartOffset } from '../../../core/log/embedded/log-start-offset.js'
import { partitionDirectory } from '../../../core/log/embedded/topic-registry.js'
import { readAll, useDataDir } from './helpers.js'

describe('deleteRecords on the embedded log', () => {
  const data = useDataDir()
  const value = Buffer.alloc(200, 1)

  /** A topic of small segments holding `records` records in partition 0. */
  async function topicWithRecords(records: number, clock = new ManualClock(10_000)) {
    const log = await data.open({ clock })
    await log.createTopic('purged', { partitions: 1, segmentBytes: 1024, retentionMs: -1 })
    const producer = log.producer()
    for (let i = 0; i < records; i++) await producer.send([{ topic: 'purged', partition: 0, value }])
    return log
  }

  const segmentFiles = (): string[] =>
    fs.readdirSync(partitionDirectory(data.dir(), 'purged', 0)).filter((name) => name.endsWith('.log')).sort()

  test('removes the segments wholly below the new start from disk, and keeps the one it falls in', async () => {
    const log = await topicWithRecords(40)
    const before = segmentFiles()
    const sizeBefore = (await log.describeTopic('purged')).partitions[0]!.sizeBytes!
    await log.deleteRecords([{ topic: 'purged', partition: 0, offset: 21 }])
    const after = segmentFiles()
    expect(after.length).toBeLessThan(before.length)
    expect(Number(after[0]!.slice(0, 20))).toBeLessThanOrEqual(21)
    expect((await log.describeTopic('purged')).partitions[0]!.sizeBytes!).toBeLessThan(sizeBefore)
    expect((await readAll(log.consumer(), 'purged')).map((record) => record.offset)[0]).toBe(21)
  })

  test('never removes the active segment, even when the start reaches the end', async () => {
    const log = await topicWithRecords(3)
    await log.deleteRecords([{ topic: 'purged', partition: 0, offset: 3 }])
    expect(segmentFiles()).toEqual(['00000000000000000000.log'])
    expect((await log.describeTopic('purged')).partitions[0]).toMatchObject({ startOffset: 3, endOffset: 3 })
  })

  test('a start inside a segment survives a restart: it is kept, not derived from the first segment', async () => {
    const log = await topicWithRecords(40)
    await log.deleteRecords([{ topic: 'purged', partition: 0, offset: 22 }])
    const firstBase = Number(segmentFiles()[0]!.slice(0, 20))
    expect(firstBase).toBeLessThan(22)
    await log.close()
    const reopened = await data.open({ clock: new ManualClock(10_000) })
    expect((await reopened.describeTopic('purged')).partitions[0]).toMatchObject({ startOffset: 22, endOffset: 40 })
    expect((await readAll(reopened.consumer(), 'purged')).map((record) => record.offset)[0]).toBe(22)
  })

  test('a crash after the start was kept but before segments were removed removes them on the next open', async () => {
    const log = await topicWithRecords(40)
    const before = segmentFiles()
    await log.close()
    writeLogStartOffset(partitionDirectory(data.dir(), 'purged', 0), 30, { durable: false })
    const reopened = await data.open({ clock: new ManualClock(10_000) })
    expect(segmentFiles().length).toBeLessThan(before.length)
    expect((await reopened.describeTopic('purged')).partitions[0]).toMatchObject({ startOffset: 30, endOffset: 40 })
  })

  test('a partition whose data ends below its kept start (a tail lost in a crash) starts afresh there, never reusing offsets', async () => {
    const log = await topicWithRecords(10)
    await log.close()
    writeLogStartOffset(partitionDirectory(data.dir(), 'purged', 0), 25, { durable: false })
    const reopened = await data.open({ clock: new ManualClock(10_000), logger: { warn: () => undefined } })
    expect((await reopened.describeTopic('purged')).partitions[0]).toMatchObject({ startOffset: 25, endOffset: 25 })
    const [metadata] = await reopened.producer().send([{ topic: 'purged', partition: 0, value }])
    expect(metadata!.offset).toBe(25)
    expect((await readAll(reopened.consumer(), 'purged')).map((record) => record.offset)).toEqual([25])
  })

  test('a read-only view sees the start the writer moved', async () => {
    const writer = await topicWithRecords(10)
    const reader = await data.open({ readOnly: true })
    await writer.deleteRecords([{ topic: 'purged', partition: 0, offset: 7 }])
    expect((await reader.describeTopic('purged')).partitions[0]).toMatchObject({ startOffset: 7, endOffset: 10 })
  })

  test('a read-only log refuses deleteRecords', async () => {
    await topicWithRecords(3)
    const reader = await data.open({ readOnly: true })
    await expect(reader.deleteRecords([{ topic: 'purged', partition: 0, offset: 1 }])).rejects.toMatchObject({ code: 'TRIBUTARY_READ_ONLY' })
  })

  test('retention after deleteRecords goes on from the moved start', async () => {
    const clock = new ManualClock(10_000)
    const log = await data.open({ clock })
    await log.createTopic('aging', { partitions: 1, segmentBytes: 1024, segmentMs: 1_000, retentionMs: 1_000 })
    for (let i = 0; i < 10; i++) await log.producer().send([{ topic: 'aging', partition: 0, value, timestamp: clock.now() }])
    await log.deleteRecords([{ topic: 'aging', partition: 0, offset: 5 }])
    clock.advance(5_000)
    await log.producer().send([{ topic: 'aging', partition: 0, value, timestamp: clock.now() }])
    await log.runMaintenance()
    expect((await log.describeTopic('aging')).partitions[0]).toMatchObject({ startOffset: 10, endOffset: 11 })
    expect(fs.existsSync(path.join(partitionDirectory(data.dir(), 'aging', 0), 'log-start-offset.checkpoint'))).toBe(true)
  })
})
