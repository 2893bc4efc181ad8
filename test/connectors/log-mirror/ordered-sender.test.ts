import { describe, expect, test } from 'vitest'
import { OrderedSender } from '../../../connectors/log-mirror/ordered-sender.js'
import { TributaryError } from '../../../core/errors.js'
import type { Producer, ProducerRecord } from '../../../core/log/types.js'
import { readAll, useDataDir } from '../../log/embedded/helpers.js'

const data = useDataDir()

/** A real producer whose sends fail, before writing anything, while `failing` says so. */
function faultyProducer(producer: Producer, failing: () => boolean): Producer {
  return {
    ...producer,
    send: async (records) => {
      if (failing()) throw new TributaryError('TRIBUTARY_TEST_OUTAGE', 'the target is unreachable', { retriable: true })
      return producer.send(records)
    },
    beginTransaction: () => producer.beginTransaction(),
    close: () => producer.close(),
  }
}

const batchOf = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ record: { topic: 'copy', value: Buffer.from(String(from + i)) } satisfies ProducerRecord, source: from + i }))

describe('the ordered sender of the log-mirror sink', () => {
  test('a failed send throws at flush, and the next flush sends it and everything after it, in order', async () => {
    const log = await data.open()
    await log.createTopic('copy', { partitions: 1 })
    let outage = false
    const producer = log.producer()
    const sender = new OrderedSender<number>(faultyProducer(producer, () => outage), async () => {})
    await sender.enqueue(batchOf(0, 10))
    await sender.flush()
    outage = true
    await sender.enqueue(batchOf(10, 20))
    await sender.enqueue(batchOf(20, 30))
    await expect(sender.flush()).rejects.toThrow(/unreachable/)
    expect(sender.pendingBatches).toBe(2)
    outage = false
    await sender.flush()
    expect(sender.pendingBatches).toBe(0)
    await producer.close()
    const values = (await readAll(log.consumer(), 'copy')).map((record) => Number(record.value?.toString()))
    expect(values).toEqual(Array.from({ length: 30 }, (_, i) => i))
  })

  test('batches put while a failure waits for the next flush are queued, not sent ahead of it', async () => {
    const log = await data.open()
    await log.createTopic('copy', { partitions: 1 })
    let outage = true
    const producer = log.producer()
    const sender = new OrderedSender<number>(faultyProducer(producer, () => outage), async () => {})
    await sender.enqueue(batchOf(0, 5))
    await expect(sender.flush()).rejects.toThrow()
    outage = false
    await sender.enqueue(batchOf(5, 10)) // not sent before the failed batch
    expect((await readAll(log.consumer(), 'copy'))).toEqual([])
    await sender.flush()
    await producer.close()
    expect((await readAll(log.consumer(), 'copy')).map((record) => Number(record.value?.toString()))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
})
