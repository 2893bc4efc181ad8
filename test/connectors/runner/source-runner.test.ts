import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { ConnectorError, startConnector, OFFSETS_TOPIC } from '../../../connectors/index.js'
import { captureLines, counterSource, readTopic, until, useLogs } from './fixtures.js'

const logs = useLogs()
const values = (records: { value: Buffer | null }[]): number[] => records.map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n)
const header = (record: { headers: readonly { key: string; value: Buffer }[] }, key: string): string | undefined => record.headers.find((h) => h.key === key)?.value.toString()

describe('source runner', () => {
  for (const processing of ['at_least_once', 'exactly_once'] as const) {
    it(`writes what the source polls and resumes from the stored offsets after a restart (${processing})`, async () => {
      const log = await logs.open()
      const { sink } = captureLines()
      const first = await startConnector(log, { name: 'count', connector: counterSource(), topic: 'numbers', config: { max: 50 }, processing, commitInterval: 5 }, { logSink: sink })
      await until(async () => (await readTopic(log, 'numbers')).length >= 50)
      await first.stop()
      await first.done
      expect(first.metrics().records).toBe(50)
      expect(first.metrics().commits).toBeGreaterThan(0)
      // A second run with a higher limit resumes at 50: nothing is written twice.
      const second = await startConnector(log, { name: 'count', connector: counterSource(), topic: 'numbers', config: { max: 80 }, processing, commitInterval: 5 }, { logSink: sink })
      await until(async () => (await readTopic(log, 'numbers')).length >= 80)
      await second.stop()
      expect(values(await readTopic(log, 'numbers'))).toEqual(Array.from({ length: 80 }, (_, n) => n))
      // Keys go through the key serde (string by default).
      expect((await readTopic(log, 'numbers'))[3]!.key!.toString()).toBe('3')
    })
  }

  it('stores offsets per connector name in the offsets topic', async () => {
    const log = await logs.open()
    const running = await startConnector(log, { name: 'count-a', connector: counterSource(), topic: 'a', config: { max: 10 } }, { logSink: () => undefined })
    await until(async () => (await readTopic(log, 'a')).length >= 10)
    await running.stop()
    const stored = await readTopic(log, OFFSETS_TOPIC)
    const last = stored.at(-1)!
    expect(JSON.parse(last.key!.toString())).toEqual(['count-a', { counter: 'c' }])
    expect(JSON.parse(last.value!.toString())).toEqual({ next: 10 })
  })

  it('sends rejected input and records the serde cannot write to the dead-letter topic, and the rest flows on', async () => {
    const log = await logs.open()
    const script = { reject: new Set([3, 17]), unserializable: new Set([5]) }
    const running = await startConnector(log, { name: 'count', connector: counterSource(script), topic: 'numbers', config: { max: 30 }, deadLetterTopic: 'numbers-dlq' }, { logSink: () => undefined })
    await until(async () => (await readTopic(log, 'numbers')).length >= 27)
    await running.stop()
    expect(values(await readTopic(log, 'numbers'))).toEqual(Array.from({ length: 30 }, (_, n) => n).filter((n) => ![3, 5, 17].includes(n)))
    const dead = await readTopic(log, 'numbers-dlq')
    expect(dead.map((r) => r.value!.toString()).sort()).toEqual(['bad 17', 'bad 3', '{ n: 5n }'])
    const rejected = dead.find((r) => r.value!.toString() === 'bad 3')!
    expect(header(rejected, 'tributary.error.code')).toBe('TRIBUTARY_RECORD_REJECTED')
    expect(header(rejected, 'tributary.error.message')).toBe('input 3 is bad')
    expect(header(rejected, 'tributary.connector')).toBe('count')
    expect(header(rejected, 'tributary.source.location')).toBe('counter:3')
    expect(running.metrics().deadLettered).toBe(3)
  })

  it('stops with the error when input is rejected and no dead-letter topic is configured', async () => {
    const log = await logs.open()
    const running = await startConnector(log, { name: 'count', connector: counterSource({ reject: new Set([2]) }), topic: 'numbers', config: { max: 30 } }, { logSink: () => undefined })
    await expect(running.done).rejects.toThrow(/counter:2 was rejected and no deadLetterTopic is configured: input 2 is bad/)
    await expect(running.done).rejects.toBeInstanceOf(ConnectorError)
  })

  it('retries a poll that fails with a retriable error, and stops on one that is not', async () => {
    const log = await logs.open()
    const script = { failPolls: { count: 3, error: new ConnectorError('count', 'source busy', { retriable: true }) } }
    const { sink, lines } = captureLines()
    const running = await startConnector(log, { name: 'count', connector: counterSource(script), topic: 'numbers', config: { max: 10 }, retries: { max: 5, initialDelay: 1, maxDelay: 4 } }, { logSink: sink })
    await until(async () => (await readTopic(log, 'numbers')).length >= 10)
    await running.stop()
    expect(running.metrics().retries).toBe(3)
    expect(lines.filter((line) => line.includes('poll failed, retry'))).toHaveLength(3)

    const fatal = await startConnector(log, { name: 'count-2', connector: counterSource({ failPolls: { count: 1, error: new Error('disk gone') } }), topic: 'numbers', config: { max: 10 } }, { logSink: () => undefined })
    await expect(fatal.done).rejects.toThrow('disk gone')
  })

  it('gives up after the retry limit', async () => {
    const log = await logs.open()
    const script = { failPolls: { count: 100, error: new ConnectorError('count', 'still busy', { retriable: true }) } }
    const running = await startConnector(log, { name: 'count', connector: counterSource(script), topic: 'numbers', config: { max: 10 }, retries: { max: 2, initialDelay: 1, maxDelay: 1 } }, { logSink: () => undefined })
    await expect(running.done).rejects.toThrow('still busy')
    expect(running.metrics().retries).toBe(2)
  })

  it('calls the task\'s commit once what it polled is stored', async () => {
    const log = await logs.open()
    const script: { commits?: number } = {}
    const running = await startConnector(log, { name: 'count', connector: counterSource(script), topic: 'numbers', config: { max: 20 }, commitInterval: 1 }, { logSink: () => undefined })
    await until(() => (script.commits ?? 0) > 0)
    await running.stop()
    expect(script.commits).toBeGreaterThan(0)
  })

  it('refuses a wrong config before starting, naming the field', async () => {
    const log = await logs.open()
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'numbers', config: {} })).rejects.toThrow(new ConfigError('connectors.count.config.max', 'is required: an integer ≥ 0'))
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'numbers', config: { max: 'ten' } })).rejects.toThrow('connectors.count.config.max: must be an integer ≥ 0, got "ten"')
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'numbers', config: { max: 1, maxx: 2 } })).rejects.toThrow('connectors.count.config.maxx: is not a setting of this connector; it takes max, perPoll, token')
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'a/b', config: { max: 1 } })).rejects.toThrow(/connectors\.count\.topic/)
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'n', config: { max: 1 }, value: 'yaml' as never })).rejects.toThrow('connectors.count.value: must be "json", "string", "bytes" or {"avro": schema}, got "yaml"')
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'n', config: { max: 1 }, processing: 'twice' as never })).rejects.toThrow('connectors.count.processing: must be "at_least_once" or "exactly_once", got "twice"')
    await expect(startConnector(log, { name: 'count', connector: counterSource(), topic: 'n', config: { max: 1 }, partitions: 0 })).rejects.toThrow('connectors.count.partitions: must be a positive integer, got 0')
    await expect(startConnector(log, { name: 'bad name!', connector: counterSource(), topic: 'n', config: { max: 1 } })).rejects.toThrow(/connectors\[\]\.name/)
  })
})
