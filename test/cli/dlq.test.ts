import { describe, expect, it } from 'vitest'
import { rejectedRecord } from '../../connectors/runner/dead-letters.js'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { Log, LogRecord, ProducerRecord } from '../../core/log/types.js'
import { deadLetter } from '../../core/runtime/dead-letter.js'
import { runCli, temporaryDataDir } from './helpers.js'

const AT = 1_700_000_000_000

/** A record of the log that an app failed on. */
function failedRecord(topic: string, partition: number, offset: number, key: string, value: string, headers: Record<string, string> = {}): LogRecord {
  return {
    topic,
    partition,
    offset,
    timestamp: AT + offset,
    key: Buffer.from(key),
    value: Buffer.from(value),
    headers: Object.entries(headers).map(([name, text]) => ({ key: name, value: Buffer.from(text) })),
  }
}

function failure(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code })
}

/** What the app and a source connector dead-lettered: two failed records of the log and one rejected input line. */
const deadLetters = (): ProducerRecord[] => [
  deadLetter('orders-dlq', failedRecord('orders', 1, 42, 'order-7', '{"price":-3}', { trace: 't-1' }), failure('ORDER_INVALID', 'price must be positive')),
  deadLetter('orders-dlq', failedRecord('payments', 0, 5, 'pay-1', '{"amount":"x"}'), failure('TRIBUTARY_SERDE', 'amount is not a number')),
  rejectedRecord('orders-dlq', 'orders-file', { input: '{bad', error: new SyntaxError('Unexpected end of JSON input'), location: 'orders.jsonl:12' }, [], AT),
]

async function withLog<T>(dataDir: string, use: (log: Log) => Promise<T>): Promise<T> {
  const log = await openEmbeddedLog({ dir: dataDir })
  try {
    return await use(log)
  } finally {
    await log.close()
  }
}

/** A data directory with topics orders (2 partitions), payments, orders-dlq, and the dead letters in orders-dlq. */
async function dataDirWithDeadLetters(): Promise<string> {
  const dataDir = temporaryDataDir()
  await withLog(dataDir, async (log) => {
    await log.createTopic('orders', { partitions: 2 })
    await log.createTopic('payments', { partitions: 1 })
    await log.createTopic('orders-dlq', { partitions: 1 })
    await log.createTopic('orders-retry', { partitions: 1 })
    const producer = log.producer()
    await producer.send(deadLetters())
    await producer.close()
  })
  return dataDir
}

async function readAll(dataDir: string, topic: string): Promise<LogRecord[]> {
  return withLog(dataDir, async (log) => {
    const { partitions } = await log.describeTopic(topic)
    const consumer = log.consumer()
    await consumer.assign(partitions.map(({ partition }) => ({ topic, partition })))
    await consumer.seekToBeginning()
    const records = await consumer.poll()
    await consumer.close()
    return records
  })
}

const headersOf = (record: LogRecord | undefined): Record<string, string> =>
  Object.fromEntries((record?.headers ?? []).map((header) => [header.key, header.value.toString('utf8')]))

describe('tributary dlq list', () => {
  it('prints each dead letter with where it came from and why it failed', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await runCli(['dlq', 'list', 'orders-dlq', '--data', dataDir])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(
      [
        'orders-dlq partition 0 offset 0, from orders partition 1 offset 42',
        '  error: ORDER_INVALID: price must be positive',
        '  key: order-7',
        '  value: {"price":-3}',
        'orders-dlq partition 0 offset 1, from payments partition 0 offset 5',
        '  error: TRIBUTARY_SERDE: amount is not a number',
        '  key: pay-1',
        '  value: {"amount":"x"}',
        'orders-dlq partition 0 offset 2, from orders.jsonl:12 (connector orders-file)',
        '  error: SyntaxError: Unexpected end of JSON input',
        '  key: null',
        '  value: {bad',
        '',
      ].join('\n'),
    )
    expect(run.stderr).toBe('listed 3 dead letters from orders-dlq\n')
  })

  it('prints one JSON object a line with the error and the source, up to --max', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await runCli(['dlq', 'list', 'orders-dlq', '--format', 'json', '--max', '2', '--data', dataDir])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      topic: 'orders-dlq',
      partition: 0,
      offset: 0,
      timestamp: AT + 42,
      key: 'order-7',
      value: '{"price":-3}',
      error: { code: 'ORDER_INVALID', message: 'price must be positive' },
      source: { topic: 'orders', partition: 1, offset: 42, connector: null, location: null },
    })
    expect(run.stderr).toBe('listed 2 dead letters from orders-dlq\n')
  })

  it('opens the data directory read-only, so it lists beside a writer that holds it', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await withLog(dataDir, () => runCli(['dlq', 'list', 'orders-dlq', '--max', '1', '--data', dataDir]))
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('from orders partition 1 offset 42')
  })
})

describe('tributary dlq replay', () => {
  it('sends each dead letter to its source topic without the error headers, skipping and reporting those without one', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await runCli(['dlq', 'replay', 'orders-dlq', '--data', dataDir])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/^replaying orders-dlq: 3\/3 done in \d+s, [\d,-]+\/s\n/)
    expect(run.stderr).toContain('skipped orders-dlq partition 0 offset 2: no source topic (from connector orders-file, orders.jsonl:12)\n')
    expect(run.stderr).toMatch(/replayed 2 dead letters from orders-dlq \(1 to orders, 1 to payments\); skipped 1\n$/)

    const [order, ...otherOrders] = await readAll(dataDir, 'orders')
    expect(otherOrders).toEqual([])
    expect(order?.key?.toString()).toBe('order-7')
    expect(order?.value?.toString()).toBe('{"price":-3}')
    expect(order?.timestamp).toBe(AT + 42)
    expect(headersOf(order)).toEqual({
      trace: 't-1',
      'tributary.source.topic': 'orders',
      'tributary.source.partition': '1',
      'tributary.source.offset': '42',
      'tributary.replayed-from': 'orders-dlq:0:0',
    })
    const payments = await readAll(dataDir, 'payments')
    expect(payments.map((record) => headersOf(record)['tributary.replayed-from'])).toEqual(['orders-dlq:0:1'])
  })

  it('remembers its progress as a consumer group: a second replay sends only what was dead-lettered since', async () => {
    const dataDir = await dataDirWithDeadLetters()
    expect((await runCli(['dlq', 'replay', 'orders-dlq', '--data', dataDir])).code).toBe(0)
    const again = await runCli(['dlq', 'replay', 'orders-dlq', '--data', dataDir])
    expect(again.code).toBe(0)
    expect(again.stderr).toMatch(/replayed 0 dead letters from orders-dlq\n$/)

    await withLog(dataDir, async (log) => {
      const producer = log.producer()
      await producer.send([deadLetter('orders-dlq', failedRecord('orders', 0, 9, 'order-9', '{"price":0}'), failure('ORDER_INVALID', 'price must be positive'))])
      await producer.close()
    })
    const third = await runCli(['dlq', 'replay', 'orders-dlq', '--data', dataDir])
    expect(third.stderr).toMatch(/replaying orders-dlq: 1\/1 done/)
    expect(third.stderr).toMatch(/replayed 1 dead letter from orders-dlq \(1 to orders\)\n$/)
    expect((await readAll(dataDir, 'orders')).map((record) => record.key?.toString()).sort()).toEqual(['order-7', 'order-9'])
  })

  it('sends every record to --to, also those without a source topic, under its own --group', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await runCli(['dlq', 'replay', 'orders-dlq', '--to', 'orders-retry', '--group', 'retry-1', '--data', dataDir])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/replayed 3 dead letters from orders-dlq \(3 to orders-retry\)\n$/)
    const retried = await readAll(dataDir, 'orders-retry')
    expect(retried.map((record) => record.value?.toString())).toEqual(['{"price":-3}', '{"amount":"x"}', '{bad'])
    expect(retried.every((record) => record.headers.every((header) => !header.key.startsWith('tributary.error.')))).toBe(true)
    expect(headersOf(retried[2])).toEqual({ 'tributary.connector': 'orders-file', 'tributary.source.location': 'orders.jsonl:12', 'tributary.replayed-from': 'orders-dlq:0:2' })
    // The default group has replayed nothing yet.
    const byDefault = await runCli(['dlq', 'replay', 'orders-dlq', '--data', dataDir])
    expect(byDefault.stderr).toMatch(/replayed 2 dead letters from orders-dlq/)
  })

  it('refuses an unknown --to topic before sending anything', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await runCli(['dlq', 'replay', 'orders-dlq', '--to', 'nowhere', '--data', dataDir])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/nowhere.*TRIBUTARY_UNKNOWN_TOPIC/)
    const retry = await runCli(['dlq', 'replay', 'orders-dlq', '--data', dataDir])
    expect(retry.stderr).toMatch(/replayed 2 dead letters/)
  })
})

describe('tributary dlq command line', () => {
  it.each([
    [['dlq'], 'missing subcommand'],
    [['dlq', 'purge', 'orders-dlq'], 'unknown subcommand "purge"'],
    [['dlq', 'list'], 'missing TOPIC'],
    [['dlq', 'list', 'orders-dlq', 'extra'], 'unexpected argument "extra"'],
    [['dlq', 'list', 'orders-dlq', '--to', 'x'], '--to and --group belong to replay'],
    [['dlq', 'list', 'orders-dlq', '--format', 'xml'], '--format must be text or json'],
    [['dlq', 'replay', 'orders-dlq', '--max', '3'], '--max belongs to list'],
    [['dlq', 'replay', 'orders-dlq', '--group', ''], '--group must not be empty'],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(message)
    expect(run.stderr).toContain('Usage: tributary dlq')
  })

  it('an unknown topic is an error of the log (exit 1)', async () => {
    const dataDir = await dataDirWithDeadLetters()
    const run = await runCli(['dlq', 'list', 'missing-dlq', '--data', dataDir])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/TRIBUTARY_UNKNOWN_TOPIC/)
  })
})
