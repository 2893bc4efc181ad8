import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import type { Log, LogRecord, Producer } from '../../../core/log/types.js'
import { loadNexmark, nexmarkSerdes } from '../../../connectors/nexmark/index.js'
import { readAll, useDataDir } from '../../log/embedded/helpers.js'
import { generate } from './helpers.js'

const data = useDataDir()

/** Every record of a topic, partition by partition. */
async function readTopic(log: Log, topic: string): Promise<LogRecord[]> {
  const { partitions } = await log.describeTopic(topic)
  const records: LogRecord[] = []
  for (const { partition } of partitions) {
    const consumer = log.consumer()
    records.push(...(await readAll(consumer, topic, partition)))
    await consumer.close()
  }
  return records
}

const valueContext = (topic: string) => ({ topic, isKey: false }) as const

describe('loadNexmark', () => {
  it('creates the three default topics and writes 1:3:46 of the events to them', async () => {
    const log = await data.open()
    const result = await loadNexmark(log, { seed: 1, events: 10_000 })
    expect(result).toEqual({
      topics: { persons: 'nexmark-persons', auctions: 'nexmark-auctions', bids: 'nexmark-bids' },
      persons: 200,
      auctions: 600,
      bids: 9200,
      eventsSoFar: 10_000,
    })
    expect(await log.listTopics()).toEqual(['nexmark-auctions', 'nexmark-bids', 'nexmark-persons'])
    expect((await readTopic(log, 'nexmark-persons')).length).toBe(200)
    expect((await readTopic(log, 'nexmark-auctions')).length).toBe(600)
    expect((await readTopic(log, 'nexmark-bids')).length).toBe(9200)
  })

  it('writes each event as JSON that reads back equal, keyed by its decimal id, stamped with its dateTime', async () => {
    const log = await data.open()
    await loadNexmark(log, { seed: 5, events: 3000 })
    const events = generate({ seed: 5, maxEvents: 3000 })
    const persons = (await readTopic(log, 'nexmark-persons')).map((r) => ({ key: r.key?.toString(), timestamp: r.timestamp, value: nexmarkSerdes.person().deserialize(r.value as Buffer, valueContext(r.topic)) }))
    const auctions = (await readTopic(log, 'nexmark-auctions')).map((r) => ({ key: r.key?.toString(), timestamp: r.timestamp, value: nexmarkSerdes.auction().deserialize(r.value as Buffer, valueContext(r.topic)) }))
    const bids = (await readTopic(log, 'nexmark-bids')).map((r) => ({ key: r.key?.toString(), timestamp: r.timestamp, value: nexmarkSerdes.bid().deserialize(r.value as Buffer, valueContext(r.topic)) }))
    expect(persons).toEqual(events.flatMap((e) => (e.type === 'person' ? [{ key: String(e.person.id), timestamp: e.person.dateTime, value: e.person }] : [])))
    expect(auctions).toEqual(events.flatMap((e) => (e.type === 'auction' ? [{ key: String(e.auction.id), timestamp: e.auction.dateTime, value: e.auction }] : [])))
    expect(bids).toEqual(events.flatMap((e) => (e.type === 'bid' ? [{ key: String(e.bid.auction), timestamp: e.bid.dateTime, value: e.bid }] : [])))
  })

  it('uses the given topic names and partitions, keeping a key in one partition', async () => {
    const log = await data.open()
    const topics = { persons: 'people', auctions: 'lots', bids: 'offers' }
    await loadNexmark(log, { seed: 2, events: 5000, topics, partitions: 3 })
    for (const topic of Object.values(topics)) expect((await log.describeTopic(topic)).partitions).toHaveLength(3)
    const bids = await readTopic(log, 'offers')
    expect(bids).toHaveLength(4600)
    const partitionOfKey = new Map<string, number>()
    for (const record of bids) {
      const key = record.key?.toString() ?? ''
      expect(partitionOfKey.get(key) ?? record.partition).toBe(record.partition)
      partitionOfKey.set(key, record.partition)
    }
    expect(new Set(partitionOfKey.values()).size).toBeGreaterThan(1)
  })

  it('appends to topics that exist, keeping their partitions, and resumes with eventsSoFar', async () => {
    const log = await data.open()
    await log.createTopic('nexmark-bids', { partitions: 2 })
    const first = await loadNexmark(log, { seed: 3, events: 1000 })
    const second = await loadNexmark(log, { seed: 3, events: 1000, startAtEvent: first.eventsSoFar })
    expect(second.eventsSoFar).toBe(2000)
    expect((await log.describeTopic('nexmark-bids')).partitions).toHaveLength(2)
    expect((await log.describeTopic('nexmark-persons')).partitions).toHaveLength(1)
    const persons = (await readTopic(log, 'nexmark-persons')).map((r) => nexmarkSerdes.person().deserialize(r.value as Buffer, valueContext(r.topic)))
    expect(persons).toEqual(generate({ seed: 3, maxEvents: 2000 }).flatMap((e) => (e.type === 'person' ? [e.person] : [])))
  })

  it('sends the records in batches of batchSize', async () => {
    const log = await data.open()
    const sends: number[] = []
    const countingProducer = (producer: Producer): Producer => ({
      send: (records) => {
        sends.push(records.length)
        return producer.send(records)
      },
      beginTransaction: () => producer.beginTransaction(),
      close: () => producer.close(),
    })
    const counting: Log = {
      backend: log.backend,
      createTopic: (name, config) => log.createTopic(name, config),
      deleteTopic: (name) => log.deleteTopic(name),
      listTopics: () => log.listTopics(),
      describeTopic: (name) => log.describeTopic(name),
      deleteRecords: (offsets) => log.deleteRecords(offsets),
      producer: (options) => countingProducer(log.producer(options)),
      consumer: (options) => log.consumer(options),
      close: () => log.close(),
    }
    await loadNexmark(counting, { seed: 1, events: 10_000, batchSize: 4096 })
    expect(sends).toEqual([4096, 4096, 1808])
  })

  it('refuses a bad option with a ConfigError naming it, before writing anything', async () => {
    const log = await data.open()
    await expect(loadNexmark(log, { seed: 1, events: -5 })).rejects.toMatchObject({ field: 'events' })
    await expect(loadNexmark(log, { seed: 1, events: 5, partitions: 0 })).rejects.toBeInstanceOf(ConfigError)
    await expect(loadNexmark(log, { seed: Number.NaN, events: 5 })).rejects.toMatchObject({ field: 'seed' })
    expect(await log.listTopics()).toEqual([])
  })
})
