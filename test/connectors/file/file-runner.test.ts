import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Log } from '../../../core/log/types.js'
import { fileSink, fileSource } from '../../../connectors/file/index.js'
import { startConnector, type RunningConnector } from '../../../connectors/runner/index.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'

let dir: string
let log: Log
const running: RunningConnector[] = []
const quiet = { logSink: () => undefined }

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-runner-'))
  log = await openEmbeddedLog({ dir: join(dir, 'log') })
})

afterEach(async () => {
  for (const connector of running.splice(0)) await connector.stop().catch(() => undefined)
  await log.close()
  await rm(dir, { recursive: true, force: true })
})

async function start(spec: Parameters<typeof startConnector>[1]): Promise<RunningConnector> {
  const connector = await startConnector(log, spec, quiet)
  running.push(connector)
  return connector
}

async function stop(connector: RunningConnector): Promise<void> {
  running.splice(running.indexOf(connector), 1)
  await connector.stop()
}

const values = async (topic: string): Promise<string[]> => (await readTopic(log, topic)).map((record) => record.value?.toString() ?? 'null')
const header = (headers: readonly { key: string; value: Buffer }[], key: string): string | undefined => headers.find((entry) => entry.key === key)?.value.toString()

describe('file-source through the runner', () => {
  test('lines go to the topic, a malformed line to the dead-letter topic with its location', async () => {
    const path = join(dir, 'in.jsonl')
    await writeFile(path, '{"n":1}\n{"n":\n{"n":3}\n')
    const connector = await start({ name: 'in', connector: fileSource, topic: 'numbers', config: { path }, deadLetterTopic: 'numbers-dlq' })
    await waitUntil(() => connector.metrics().records >= 3, 'three records written')
    await stop(connector)
    expect(await values('numbers')).toEqual(['{"n":1}', '{"n":3}'])
    const [dead] = await readTopic(log, 'numbers-dlq')
    expect(dead?.value?.toString()).toBe('{"n":')
    expect(header(dead?.headers ?? [], 'tributary.error.code')).toBe('TRIBUTARY_RECORD_REJECTED')
    expect(header(dead?.headers ?? [], 'tributary.error.message')).toContain('is not JSON')
    expect(header(dead?.headers ?? [], 'tributary.source.location')).toBe(`${path}:2`)
  })

  test('a CSV row with the wrong number of fields goes to the dead-letter topic', async () => {
    const path = join(dir, 'in.csv')
    await writeFile(path, 'id,name\n1,a\n2,b,extra\n3,c\n')
    const connector = await start({ name: 'csv', connector: fileSource, topic: 'rows', config: { path, format: 'csv', keyField: 'id' }, deadLetterTopic: 'rows-dlq' })
    await waitUntil(() => connector.metrics().records >= 3, 'three records written')
    await stop(connector)
    const rows = await readTopic(log, 'rows')
    expect(rows.map((record) => [record.key?.toString(), record.value?.toString()])).toEqual([
      ['1', '{"id":"1","name":"a"}'],
      ['3', '{"id":"3","name":"c"}'],
    ])
    const [dead] = await readTopic(log, 'rows-dlq')
    expect(header(dead?.headers ?? [], 'tributary.source.location')).toBe(`${path}:3`)
    expect(header(dead?.headers ?? [], 'tributary.error.message')).toContain('expected 2 fields')
  })

  test.each(['at_least_once', 'exactly_once'] as const)('a restart (%s) resumes after the stored lines: only appended lines are written', async (processing) => {
    const path = join(dir, 'in.jsonl')
    await writeFile(path, '{"n":1}\n{"n":2}\n')
    const spec = { name: 'in', connector: fileSource, topic: 'numbers', config: { path }, processing }
    const first = await start(spec)
    await waitUntil(() => first.metrics().records >= 2, 'two records written')
    await stop(first)
    await appendFile(path, '{"n":3}\n')
    const second = await start(spec)
    await waitUntil(async () => (await values('numbers')).length >= 3, 'the third record')
    await stop(second)
    expect(await values('numbers')).toEqual(['{"n":1}', '{"n":2}', '{"n":3}'])
  })
})

describe('file-sink through the runner', () => {
  test('records of a topic are written as JSON lines; stop completes the file', async () => {
    const producer = log.producer()
    await log.createTopic('orders', { partitions: 1 })
    await producer.send([1, 2, 3].map((n) => ({ topic: 'orders', value: Buffer.from(JSON.stringify({ n })) })))
    await producer.close()
    const out = join(dir, 'out')
    const connector = await start({ name: 'out', connector: fileSink, topics: ['orders'], config: { directory: out, prefix: 'orders' } })
    await waitUntil(() => connector.metrics().records >= 3, 'three records put')
    await stop(connector)
    expect(await readdir(out)).toEqual(['orders-000001.jsonl'])
    expect(await readFile(join(out, 'orders-000001.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n')
  })
})
