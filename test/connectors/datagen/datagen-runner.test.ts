import { describe, expect, test } from 'vitest'
import { datagenSource } from '../../../connectors/datagen/index.js'
import { NexmarkGenerator } from '../../../connectors/nexmark/index.js'
import { startConnector, type RunningConnector } from '../../../connectors/runner/index.js'
import type { Log, LogRecord } from '../../../core/log/types.js'
import { avro as avroSerde } from '../../../core/serde/index.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'
import { useDataDir } from '../../log/embedded/helpers.js'
import { order } from './schemas.js'

const first = useDataDir()
const second = useDataDir()
const quiet = { logSink: () => {} }

async function run(log: Log, config: object, until: (running: RunningConnector) => boolean, extra: object = {}): Promise<void> {
  const running = await startConnector(log, { name: 'gen', connector: datagenSource, topic: 'generated', config, ...extra }, quiet)
  try {
    await waitUntil(() => until(running), 'the generated records')
  } finally {
    await running.stop()
  }
  await running.done
}

const content = (records: LogRecord[]) => records.map((record) => ({ key: record.key?.toString() ?? null, value: record.value?.toString('hex') ?? null, timestamp: record.timestamp }))

describe('the datagen source through the runner', () => {
  test('writes maxRecords Nexmark events, as the generator makes them', async () => {
    const log = await first.open()
    await run(log, { generator: 'nexmark', seed: 5, maxRecords: 500, batchSize: 64 }, (running) => running.metrics().records === 500)
    const records = await readTopic(log, 'generated')
    expect(records.map((record) => JSON.parse(record.value?.toString() ?? 'null') as unknown)).toEqual([...new NexmarkGenerator({ seed: 5, maxEvents: 500 })])
  })

  test('stopped at any point and restarted, it fills the topic exactly as an uninterrupted run', async () => {
    const config = { generator: 'nexmark', seed: 8, maxRecords: 6000, batchSize: 50 }
    const uninterrupted = await first.open()
    await run(uninterrupted, config, (running) => running.metrics().records === 6000)

    const interrupted = await second.open()
    await run(interrupted, config, (running) => running.metrics().records >= 400) // stops wherever it is then
    const before = (await readTopic(interrupted, 'generated')).length
    expect(before).toBeGreaterThanOrEqual(400)
    await run(interrupted, config, (running) => running.metrics().records === 6000 - before)

    expect(content(await readTopic(interrupted, 'generated'))).toEqual(content(await readTopic(uninterrupted, 'generated')))
  })

  test('writes Avro with an Avro value serde, and resumes the same values after a restart', async () => {
    const config = { generator: 'avro', schema: order, keyField: 'id', seed: 2, maxRecords: 300, batchSize: 40 }
    const spec = { value: { avro: order } }
    const uninterrupted = await first.open()
    await run(uninterrupted, config, (running) => running.metrics().records === 300, spec)
    const interrupted = await second.open()
    await run(interrupted, { ...config, maxRecords: 123 }, (running) => running.metrics().records === 123, spec)
    await run(interrupted, config, (running) => running.metrics().records === 300 - 123, spec)

    const serde = avroSerde<{ id: string }>({ schema: order }) // the default registry, as the runner's
    const decode = (records: LogRecord[]) => records.map((record) => ({ key: record.key?.toString(), value: serde.deserialize(record.value ?? Buffer.alloc(0), { topic: 'generated', isKey: false }) }))
    const values = decode(await readTopic(interrupted, 'generated'))
    expect(values).toHaveLength(300)
    expect(values.map((value) => value.key)).toEqual(values.map((value) => value.value.id))
    expect(values).toEqual(decode(await readTopic(uninterrupted, 'generated')))
  })

  test('nexmark topics spread the events over a topic per kind', async () => {
    const log = await first.open()
    const topics = { person: 'persons', auction: 'auctions', bid: 'bids' }
    await run(log, { generator: 'nexmark', maxRecords: 1000, topics }, (running) => running.metrics().records === 1000)
    expect((await readTopic(log, 'persons')).length).toBe(20)
    expect((await readTopic(log, 'auctions')).length).toBe(60)
    expect((await readTopic(log, 'bids')).length).toBe(920)
  })
})
