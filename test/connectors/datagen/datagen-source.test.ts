import avro from 'avsc'
import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../../connectors/api/config-schema.js'
import type { SourceBatch, SourceOffset } from '../../../connectors/api/types.js'
import { datagenSource } from '../../../connectors/datagen/index.js'
import { NexmarkGenerator } from '../../../connectors/nexmark/index.js'
import { ManualClock } from '../../../core/manual-clock.js'
import { ConfigError } from '../../../core/errors.js'
import { avro as avroSerde, InMemorySchemaRegistry, string, type Serde } from '../../../core/serde/index.js'
import { sourceContext } from './context.js'
import { order } from './schemas.js'

async function start(config: object, options: { stored?: ReadonlyMap<string, SourceOffset>; clock?: ManualClock; value?: Serde<unknown> } = {}) {
  const clock = options.clock ?? new ManualClock(0)
  const context = sourceContext<string, unknown>({ clock, pollTimeoutMs: 50, ...(options.value === undefined ? {} : { serdes: { key: string(), value: options.value } }) }, options.stored)
  const task = await datagenSource.start(parseConfig(datagenSource.config, config, 'config'), context)
  return { task, context, clock }
}

/** Polls until `count` items were made (the stored offset says so). */
async function pollItems(task: { poll(): Promise<SourceBatch<string, unknown>> }, count: number): Promise<{ batches: SourceBatch<string, unknown>[]; next: number }> {
  const batches: SourceBatch<string, unknown>[] = []
  let next = 0
  while (next < count) {
    const batch = await task.poll()
    batches.push(batch)
    next = Number(batch.offsets?.[0]?.offset['next'] ?? next)
  }
  return { batches, next }
}

const storedAt = (generator: string, next: number) => new Map([[JSON.stringify({ generator }), { next }]])

describe('the datagen source', () => {
  test('nexmark events go to the connector\'s topic as whole events, keyed and stamped as loadNexmark does', async () => {
    const { task } = await start({ generator: 'nexmark', seed: 4, batchSize: 50 })
    const batch = await task.poll()
    const expected = [...new NexmarkGenerator({ seed: 4, maxEvents: 50 })]
    expect(batch.records.map((record) => record.value)).toEqual(expected)
    expect(batch.records[0]).toMatchObject({ key: '1000', timestamp: expected[0]?.type === 'person' ? expected[0].person.dateTime : -1 })
    expect(batch.offsets).toEqual([{ partition: { generator: 'nexmark' }, offset: { next: 50 } }])
  })

  test('nexmark topics route each listed kind to its topic as a bare payload and drop the others', async () => {
    const { task } = await start({ generator: 'nexmark', batchSize: 100, topics: { person: 'persons', bid: 'bids' } })
    const batch = await task.poll()
    expect(new Set(batch.records.map((record) => record.topic))).toEqual(new Set(['persons', 'bids']))
    expect(batch.records.filter((record) => record.topic === 'persons')).toHaveLength(2)
    expect(batch.records.filter((record) => record.topic === 'bids')).toHaveLength(92)
    expect(batch.records.find((record) => record.topic === 'persons')?.value).toHaveProperty('emailAddress')
  })

  test('nexmark kinds filter the events without routing them', async () => {
    const { task } = await start({ generator: 'nexmark', batchSize: 50, kinds: ['auction'] })
    const batch = await task.poll()
    expect(batch.records.map((record) => (record.value as { type: string }).type)).toEqual(['auction', 'auction', 'auction'])
  })

  for (const generator of ['nexmark', 'avro'] as const) {
    test(`${generator}: a source restarted from its stored offset makes what an uninterrupted one makes`, async () => {
      const config = { generator, seed: 11, batchSize: 7, maxRecords: 60, ...(generator === 'avro' ? { schema: order, keyField: 'id' } : {}) }
      const whole = await pollItems((await start(config)).task, 60)
      const first = await pollItems((await start(config)).task, 21)
      const rest = await pollItems((await start(config, { stored: storedAt(generator, first.next) })).task, 60)
      const records = (batches: SourceBatch<string, unknown>[]) => batches.flatMap((batch) => batch.records)
      expect([...records(first.batches), ...records(rest.batches)]).toEqual(records(whole.batches))
      expect(records(whole.batches)).toHaveLength(60)
    })
  }

  test('after maxRecords, polls return empty batches once pollTimeoutMs has passed', async () => {
    const { task, clock } = await start({ generator: 'avro', schema: order, maxRecords: 3, batchSize: 10 })
    expect((await task.poll()).records).toHaveLength(3)
    let settled = false
    const empty = task.poll().then((batch) => ((settled = true), batch))
    await Promise.resolve()
    expect(settled).toBe(false)
    clock.advance(50)
    expect((await empty).records).toEqual([])
  })

  test('a poll waiting at the end returns at once when the connector is stopped', async () => {
    const { task, context } = await start({ generator: 'avro', schema: order, maxRecords: 0 })
    const empty = task.poll()
    context.controller.abort()
    expect((await empty).records).toEqual([])
  })

  test('rate paces the records on the clock', async () => {
    const { task, clock } = await start({ generator: 'avro', schema: order, rate: 10, batchSize: 100 })
    clock.advance(250)
    expect((await task.poll()).records).toHaveLength(3) // at 0, 100 and 200 ms
    const waiting = task.poll()
    clock.advance(50) // the 4th is due at 300 ms
    expect((await waiting).records).toHaveLength(1)
    clock.advance(1000)
    expect((await task.poll()).records).toHaveLength(10)
  })

  test('avro values come out in JSON form for a JSON serde and as they are for an Avro serde', async () => {
    const asJson = (await (await start({ generator: 'avro', schema: order, seed: 3 })).task.poll()).records[0]?.value as { total: unknown }
    expect(typeof asJson.total).toBe('string')
    const serde = avroSerde<unknown>({ schema: order, registry: new InMemorySchemaRegistry() })
    const { task } = await start({ generator: 'avro', schema: order, seed: 3, batchSize: 200 }, { value: serde })
    const batch = await task.poll()
    const type = avro.Type.forSchema(order as never)
    for (const record of batch.records) {
      expect(type.isValid(record.value)).toBe(true)
      expect(serde.deserialize(serde.serialize(record.value, { topic: 'orders', isKey: false }), { topic: 'orders', isKey: false })).toEqual(record.value)
    }
    expect(Buffer.from((batch.records[0]?.value as { total: Buffer }).total).toString('base64')).toBe(asJson.total)
  })

  test('keyField keys each record by that field', async () => {
    const { task } = await start({ generator: 'avro', schema: order, keyField: 'id', batchSize: 5 })
    for (const record of (await task.poll()).records) expect(record.key).toBe((record.value as { id: string }).id)
  })

  test('settings that do not fit the generator are ConfigErrors naming them', async () => {
    await expect(start({ generator: 'avro' })).rejects.toThrow(ConfigError)
    await expect(start({ generator: 'avro', schema: order, keyField: 'nope' })).rejects.toThrow(/keyField/)
    await expect(start({ generator: 'nexmark', schema: order })).rejects.toThrow(/schema/)
    await expect(start({ generator: 'nexmark', topics: { persons: 'p' } })).rejects.toThrow(/topics\.persons/)
    await expect(start({ generator: 'avro', schema: order, kinds: ['bid'] })).rejects.toThrow(/kinds/)
  })
})
