import { describe, expect, test } from 'vitest'
import { ManualClock } from '../../../core/manual-clock.js'
import { OffsetOutOfRangeError } from '../../../core/log/errors.js'
import { readAll, useDataDir } from './helpers.js'

describe('retention of a delete topic', () => {
  const data = useDataDir()
  const value = Buffer.alloc(200, 1)

  test('deletes whole segments older than retentionMs, and the start offset moves past them', async () => {
    const clock = new ManualClock(10_000)
    const log = await data.open({ clock })
    await log.createTopic('events', { partitions: 1, segmentBytes: 2048, segmentMs: 60_000, retentionMs: 60_000 })
    const producer = log.producer()
    for (let i = 0; i < 20; i++) await producer.send([{ topic: 'events', partition: 0, value, timestamp: clock.now() }])
    clock.advance(120_000)
    for (let i = 0; i < 5; i++) await producer.send([{ topic: 'events', partition: 0, value, timestamp: clock.now() }])
    const { segmentsDeleted } = await log.runMaintenance()
    expect(segmentsDeleted).toBeGreaterThan(0)
    const partition = (await log.describeTopic('events')).partitions[0]!
    expect(partition.startOffset).toBe(20)
    expect(partition.endOffset).toBe(25)
    const remaining = await readAll(log.consumer(), 'events')
    expect(remaining.map((record) => record.offset)).toEqual([20, 21, 22, 23, 24])
  })

  test('rolls and deletes an active segment whose records all expired', async () => {
    const clock = new ManualClock(10_000)
    const log = await data.open({ clock })
    await log.createTopic('quiet', { partitions: 1, retentionMs: 1_000 })
    await log.producer().send([{ topic: 'quiet', partition: 0, value, timestamp: clock.now() }])
    clock.advance(5_000)
    await log.runMaintenance()
    const partition = (await log.describeTopic('quiet')).partitions[0]!
    expect(partition).toMatchObject({ startOffset: 1, endOffset: 1 })
  })

  test('deletes the oldest segments while the partition is larger than retentionBytes', async () => {
    const clock = new ManualClock(10_000)
    const log = await data.open({ clock })
    await log.createTopic('sized', { partitions: 1, segmentBytes: 1024, retentionBytes: 3000, retentionMs: -1 })
    const producer = log.producer()
    for (let i = 0; i < 40; i++) await producer.send([{ topic: 'sized', partition: 0, value, timestamp: clock.now() }])
    await log.runMaintenance()
    const partition = (await log.describeTopic('sized')).partitions[0]!
    expect(partition.sizeBytes!).toBeLessThanOrEqual(3000 + 1024)
    expect(partition.startOffset).toBeGreaterThan(0)
  })

  test('seeking below the start offset after retention is an OffsetOutOfRangeError naming the range', async () => {
    const clock = new ManualClock(10_000)
    const log = await data.open({ clock })
    await log.createTopic('trimmed', { partitions: 1, segmentBytes: 1024, segmentMs: 1_000, retentionMs: 1_000 })
    for (let i = 0; i < 10; i++) await log.producer().send([{ topic: 'trimmed', partition: 0, value, timestamp: clock.now() }])
    clock.advance(5_000)
    await log.producer().send([{ topic: 'trimmed', partition: 0, value, timestamp: clock.now() }])
    await log.runMaintenance()
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'trimmed', partition: 0 }])
    expect(() => consumer.seek({ topic: 'trimmed', partition: 0 }, 0)).toThrowError(OffsetOutOfRangeError)
    expect(() => consumer.seek({ topic: 'trimmed', partition: 0 }, 0)).toThrowError(/valid offsets are 10 to 11/)
  })

  test('a group whose committed offset fell below the start resumes at the start (earliest)', async () => {
    const clock = new ManualClock(10_000)
    const log = await data.open({ clock, logger: { warn: () => undefined } })
    await log.createTopic('lagging', { partitions: 1, segmentBytes: 1024, segmentMs: 1_000, retentionMs: 1_000 })
    const first = log.consumer({ groupId: 'slow' })
    await first.commit([{ topic: 'lagging', partition: 0, offset: 0 }])
    for (let i = 0; i < 10; i++) await log.producer().send([{ topic: 'lagging', partition: 0, value, timestamp: clock.now() }])
    clock.advance(5_000)
    await log.producer().send([{ topic: 'lagging', partition: 0, value, timestamp: clock.now() }])
    await log.runMaintenance()
    const consumer = log.consumer({ groupId: 'slow' })
    await consumer.subscribe(['lagging'])
    const records = await consumer.poll({ timeoutMs: 1000 })
    expect(records[0]?.offset).toBe(10)
  })
})
