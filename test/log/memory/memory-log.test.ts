/**
 * What the memory log adds to the contract suite: time from the injected clock only, topics
 * deleted under readers, nothing removed by retention (only by deleteRecords), and the embedded
 * log's bytes.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { ClosedError, UnknownTopicOrPartitionError } from '../../../core/log/errors.js'
import { createMemoryLog } from '../../../core/log/memory/index.js'
import type { Log, LogRecord, Producer, TopicPartition } from '../../../core/log/types.js'
import { ManualClock } from '../../../core/manual-clock.js'
import { useDataDir } from '../embedded/helpers.js'

const START_MS = 1_600_000_000_000
const DAY_MS = 24 * 60 * 60 * 1000

/** Lets every pending callback run: no time passes on the log's clock. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Whether the promise has settled once the event loop has run everything pending. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(() => (settled = true), () => (settled = true))
  await flush()
  return settled
}

function summary(records: readonly LogRecord[]): [number, number, string | null, string | null][] {
  return records.map((record) => [record.offset, record.timestamp, record.key?.toString() ?? null, record.value?.toString() ?? null])
}

/** Every record of a partition, read from the start with a fresh assigned consumer. */
async function readPartition(log: Log, tp: TopicPartition): Promise<LogRecord[]> {
  const consumer = log.consumer()
  await consumer.assign([tp])
  const records: LogRecord[] = []
  for (let batch = await consumer.poll(); batch.length > 0; batch = await consumer.poll()) records.push(...batch)
  await consumer.close()
  return records
}

describe('memory log', () => {
  const logs: Log[] = []
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close()
  })

  function memoryLog(clock = new ManualClock(START_MS)): { log: Log; clock: ManualClock } {
    const log = createMemoryLog({ clock, logger: { warn: () => undefined } })
    logs.push(log)
    return { log, clock }
  }

  async function withTopic(partitions = 1): Promise<{ log: Log; clock: ManualClock; producer: Producer }> {
    const { log, clock } = memoryLog()
    await log.createTopic('events', { partitions })
    return { log, clock, producer: log.producer() }
  }

  test("reports its backend as 'memory'", () => {
    expect(memoryLog().log.backend).toBe('memory')
  })

  test('a poll with a timeout returns only when the manual clock is advanced past it', async () => {
    const { log, clock } = await withTopic()
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    // Ten minutes: far past the test's own timeout, were the wall clock timing it.
    const pending = consumer.poll({ timeoutMs: 600_000 })
    expect(await isSettled(pending)).toBe(false)
    clock.advance(599_999)
    expect(await isSettled(pending)).toBe(false)
    clock.advance(1)
    expect(await pending).toEqual([])
  })

  test('a waiting poll returns as soon as a record is appended, without the clock moving', async () => {
    const { log, clock, producer } = await withTopic()
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    const pending = consumer.poll({ timeoutMs: 60_000 })
    await flush()
    await producer.send([{ topic: 'events', partition: 0, value: Buffer.from('wake') }])
    expect((await pending).map((record) => record.value?.toString())).toEqual(['wake'])
    expect(clock.now()).toBe(START_MS)
  })

  test("a record sent without a timestamp gets the clock's time", async () => {
    const { log, clock, producer } = await withTopic()
    await producer.send([{ topic: 'events', partition: 0, value: Buffer.from('first') }])
    clock.advance(5000)
    const [metadata] = await producer.send([{ topic: 'events', partition: 0, value: Buffer.from('second') }])
    expect(metadata?.timestamp).toBe(START_MS + 5000)
    expect((await readPartition(log, { topic: 'events', partition: 0 })).map((record) => record.timestamp)).toEqual([START_MS, START_MS + 5000])
  })

  test('a group member that stops polling past its session timeout, by the clock, loses its partitions', async () => {
    const { log, clock } = await withTopic(4)
    const live = log.consumer({ groupId: 'workers', sessionTimeoutMs: 10_000 })
    const stuck = log.consumer({ groupId: 'workers', sessionTimeoutMs: 10_000 })
    await live.subscribe(['events'])
    await stuck.subscribe(['events'])
    for (let round = 0; round < 3; round++) for (const consumer of [live, stuck]) await consumer.poll()
    expect(live.assignment()).toHaveLength(2)
    clock.advance(10_001)
    for (let round = 0; round < 3; round++) await live.poll()
    expect(live.assignment().map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3])
  })

  test('retention settings are kept but never enforced: every record stays readable', async () => {
    const { log, clock } = memoryLog()
    await log.createTopic('short-lived', { partitions: 1, retentionMs: 1000, retentionBytes: 100 })
    const values = Array.from({ length: 20 }, (_, index) => ({ topic: 'short-lived', partition: 0, value: Buffer.alloc(50, index) }))
    await log.producer().send(values)
    clock.advance(30 * DAY_MS)
    const { config, partitions } = await log.describeTopic('short-lived')
    expect(config).toMatchObject({ retentionMs: 1000, retentionBytes: 100 })
    expect(partitions[0]).toMatchObject({ startOffset: 0, endOffset: 20 })
    expect(await readPartition(log, { topic: 'short-lived', partition: 0 })).toHaveLength(20)
  })

  test('deleteRecords drops the batches wholly below the new start and keeps the one it falls in', async () => {
    const { log, producer } = await withTopic()
    for (let send = 0; send < 4; send++) await producer.send(Array.from({ length: 5 }, () => ({ topic: 'events', partition: 0, value: Buffer.alloc(100) })))
    const sizeBefore = (await log.describeTopic('events')).partitions[0]!.sizeBytes!
    await log.deleteRecords([{ topic: 'events', partition: 0, offset: 12 }])
    const { partitions } = await log.describeTopic('events')
    expect(partitions[0]).toMatchObject({ startOffset: 12, endOffset: 20 })
    // Two of the four batches of five lie wholly below offset 12; the third is kept whole.
    expect(partitions[0]!.sizeBytes).toBe(sizeBefore / 2)
    expect((await readPartition(log, { topic: 'events', partition: 0 })).map((record) => record.offset)).toEqual([12, 13, 14, 15, 16, 17, 18, 19])
  })

  test('after deleteTopic, sending to the topic throws UnknownTopicOrPartitionError', async () => {
    const { log, producer } = await withTopic()
    await log.deleteTopic('events')
    await expect(producer.send([{ topic: 'events', value: Buffer.from('late') }])).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
  })

  test('a poll waiting on a partition of a deleted topic wakes and throws UnknownTopicOrPartitionError', async () => {
    const { log } = await withTopic()
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    const pending = consumer.poll({ timeoutMs: 60_000 })
    await flush()
    await log.deleteTopic('events')
    await expect(pending).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
  })

  test('a group member gives up the partitions of a deleted topic and takes those of the topic created again', async () => {
    const { log } = await withTopic(2)
    const revoked: number[] = []
    const consumer = log.consumer({ groupId: 'readers' })
    await consumer.subscribe(['events'], { onRevoked: (partitions) => void revoked.push(...partitions.map((tp) => tp.partition)) })
    await consumer.poll()
    expect(consumer.assignment()).toHaveLength(2)
    await log.deleteTopic('events')
    await consumer.poll()
    expect(consumer.assignment()).toEqual([])
    expect(revoked.sort()).toEqual([0, 1])
    await log.createTopic('events', { partitions: 3 })
    await consumer.poll()
    expect(consumer.assignment().map((tp) => tp.partition).sort()).toEqual([0, 1, 2])
  })

  test('records handed to a consumer are copies: changing one leaves the stored record as it was', async () => {
    const { log, producer } = await withTopic()
    await producer.send([{ topic: 'events', partition: 0, value: Buffer.from('original') }])
    const [first] = await readPartition(log, { topic: 'events', partition: 0 })
    first?.value?.fill(0)
    const [again] = await readPartition(log, { topic: 'events', partition: 0 })
    expect(again?.value?.toString()).toBe('original')
  })

  test('after close, the log and the producers and consumers it made refuse work with ClosedError', async () => {
    const { log, producer } = await withTopic()
    const consumer = log.consumer()
    await consumer.assign([{ topic: 'events', partition: 0 }])
    await log.close()
    await expect(log.createTopic('more', { partitions: 1 })).rejects.toBeInstanceOf(ClosedError)
    await expect(producer.send([{ topic: 'events', value: null }])).rejects.toBeInstanceOf(ClosedError)
    await expect(consumer.poll()).rejects.toBeInstanceOf(ClosedError)
  })

  describe('beside the embedded log', () => {
    const data = useDataDir()

    /** The same sends on a log: keyed records, a committed and an aborted transaction, headers. */
    async function workload(log: Log): Promise<void> {
      await log.createTopic('orders', { partitions: 2 })
      const plain = log.producer()
      await plain.send(['a', 'b', 'c', 'd'].map((key) => ({ topic: 'orders', key: Buffer.from(key), value: Buffer.from(`order ${key}`) })))
      const transactional = log.producer({ transactionalId: 'shop' })
      const committed = await transactional.beginTransaction()
      await committed.send([0, 1].map((partition) => ({ topic: 'orders', partition, value: Buffer.from('committed') })))
      await committed.commit()
      const aborted = await transactional.beginTransaction()
      await aborted.send([{ topic: 'orders', partition: 1, value: Buffer.from('aborted') }])
      await aborted.abort()
      await plain.send([{ topic: 'orders', partition: 0, value: null, headers: [{ key: 'trace', value: Buffer.from('1') }] }])
    }

    async function observed(log: Log) {
      const { partitions } = await log.describeTopic('orders')
      const records = await Promise.all([0, 1].map((partition) => readPartition(log, { topic: 'orders', partition })))
      return { partitions, records: records.map(summary) }
    }

    test('the same sends give the same offsets, record sizes in bytes and read_committed records', async () => {
      const embedded = await data.open({ clock: new ManualClock(START_MS) })
      const { log: memory } = memoryLog()
      await workload(embedded)
      await workload(memory)
      const fromMemory = await observed(memory)
      expect(fromMemory.partitions.map((partition) => partition.sizeBytes)).toEqual([expect.any(Number), expect.any(Number)])
      expect(fromMemory).toEqual(await observed(embedded))
    })
  })
})
