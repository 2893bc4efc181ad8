import { PassThrough, Writable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../../connectors/api/config-schema.js'
import { readableSource, writableSink } from '../../../connectors/stdio/index.js'
import { sinkContext, sinkRecord, sourceContext } from '../file/task-context.js'

const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString() : String(value))

describe('stdin-source', () => {
  async function start(input: PassThrough, config: Record<string, unknown>, pollTimeoutMs = 50) {
    const connector = readableSource(input, 'stdin')
    const context = sourceContext({ pollTimeoutMs })
    return connector.start(parseConfig(connector.config, config, 'config'), context as never)
  }

  test('each line becomes a record with the line as its value, CRLF or LF, no offsets', async () => {
    const input = new PassThrough()
    const task = await start(input, {})
    input.write('one\r\ntwo\nthr')
    const batch = await task.poll()
    expect(batch.records.map((record) => text(record.value))).toEqual(['one', 'two'])
    expect(batch.offsets).toBeUndefined()
    await task.stop?.()
  })

  test('waits for input up to the poll timeout; the last line is given once the stream ends', async () => {
    const input = new PassThrough()
    const task = await start(input, {}, 1_000)
    const polled = task.poll()
    input.end('last line without a break')
    expect((await polled).records.map((record) => text(record.value))).toEqual(['last line without a break'])
    expect(await task.poll()).toEqual({ records: [] })
  })

  test('jsonl: a line that is not JSON is rejected with its line number', async () => {
    const input = new PassThrough()
    const task = await start(input, { format: 'jsonl' })
    input.end('{"a":1}\nnope\n\n[2]\n')
    const batch = await task.poll()
    expect(batch.records.map((record) => text(record.value))).toEqual(['{"a":1}', '[2]'])
    expect(batch.rejected?.map((rejected) => rejected.location)).toEqual(['stdin:2'])
  })
})

describe('stdout-sink', () => {
  function collector(): { stream: Writable; written: () => string } {
    const chunks: string[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString())
        callback()
      },
    })
    return { stream, written: () => chunks.join('') }
  }

  test('json: each value as a JSON line', async () => {
    const { stream, written } = collector()
    const connector = writableSink(stream)
    const task = await connector.start(parseConfig(connector.config, {}, 'config'), sinkContext() as never)
    await task.put([sinkRecord({ a: 1 }, 0), sinkRecord('s', 1)])
    await task.flush()
    expect(written()).toBe('{"a":1}\n"s"\n')
  })

  test('text: strings and bytes as they are, anything else as JSON', async () => {
    const { stream, written } = collector()
    const connector = writableSink(stream)
    const task = await connector.start(parseConfig(connector.config, { format: 'text' }, 'config'), sinkContext() as never)
    await task.put([sinkRecord('plain', 0), sinkRecord(Buffer.from('raw'), 1), sinkRecord([1], 2)])
    await task.flush()
    expect(written()).toBe('plain\nraw\n[1]\n')
  })
})
