import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startSource, text, type RunningSource } from './source-helpers.js'

let dir: string
let path: string
const running: RunningSource[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-source-'))
  path = join(dir, 'in.jsonl')
})

afterEach(async () => {
  for (const source of running.splice(0)) await source.task.stop?.()
  await rm(dir, { recursive: true, force: true })
})

async function start(config: Record<string, unknown>, ...rest: Parameters<typeof startSource> extends [unknown, ...infer R] ? R : never): Promise<RunningSource> {
  const source = await startSource(config, ...rest)
  running.push(source)
  return source
}

const lines = (...values: unknown[]): string => values.map((value) => `${JSON.stringify(value)}\n`).join('')

describe('file-source, JSON lines', () => {
  test('reads each line as its JSON bytes, with the byte after the last line as the offset', async () => {
    await writeFile(path, lines({ n: 1 }, { n: 2 }))
    const source = await start({ path })
    const batch = await source.pollOnce()
    expect(batch.records.map((record) => text(record.value))).toEqual(['{"n":1}', '{"n":2}'])
    expect(batch.offsets?.[0]?.partition).toEqual({ file: path })
    expect(batch.offsets?.[0]?.offset.position).toBe(16)
  })

  test('returns an empty batch after the poll timeout when there is nothing to read', async () => {
    await writeFile(path, '')
    const source = await start({ path })
    expect(await source.pollOnce()).toEqual({ records: [] })
  })

  test('a last line without its line break is read only once it is complete', async () => {
    await writeFile(path, `${lines({ n: 1 })}{"n":`)
    const source = await start({ path })
    expect(await source.take(1)).toEqual(['{"n":1}'])
    expect((await source.pollOnce()).records).toEqual([])
    await appendFile(path, '2}\n')
    expect(await source.take(1)).toEqual(['{"n":2}'])
  })

  test('follows lines appended while a poll waits', async () => {
    await writeFile(path, '')
    const source = await start({ path }, undefined, 10_000)
    const polled = source.pollOnce()
    await appendFile(path, lines({ n: 1 }))
    expect((await polled).records.map((record) => text(record.value))).toEqual(['{"n":1}'])
  })

  test('a restart resumes at the byte after the last stored line', async () => {
    await writeFile(path, lines({ n: 1 }, { n: 2 }))
    const first = await start({ path })
    expect(await first.take(2)).toEqual(['{"n":1}', '{"n":2}'])
    await first.task.stop?.()
    await appendFile(path, lines({ n: 3 }))
    const second = await start({ path }, first.offsets)
    expect(await second.take(1)).toEqual(['{"n":3}'])
    expect((await second.pollOnce()).records).toEqual([])
  })

  test('a rotated file is read to its end, then the new file from its start', async () => {
    await writeFile(path, lines({ n: 1 }))
    const source = await start({ path })
    expect(await source.take(1)).toEqual(['{"n":1}'])
    await appendFile(path, lines({ n: 2 }))
    await rename(path, `${path}.1`)
    await writeFile(path, lines({ n: 3 }, { n: 4 }))
    expect(await source.take(3)).toEqual(['{"n":2}', '{"n":3}', '{"n":4}'])
  })

  test('a file rotated while the source was stopped is read from its start, with a warning', async () => {
    await writeFile(path, lines({ n: 1 }))
    const first = await start({ path })
    await first.take(1)
    await first.task.stop?.()
    await rename(path, `${path}.1`)
    await writeFile(path, lines({ n: 2 }))
    const second = await start({ path }, first.offsets)
    expect(await second.take(1)).toEqual(['{"n":2}'])
    expect(second.context.logger.lines.some((line) => line.level === 'warn' && line.message.includes('rotated'))).toBe(true)
  })

  test('a truncated file is read again from its start, with a warning', async () => {
    await writeFile(path, lines({ n: 1 }, { n: 2 }))
    const source = await start({ path })
    await source.take(2)
    await truncate(path, 0)
    await appendFile(path, lines({ n: 3 }))
    expect(await source.take(1)).toEqual(['{"n":3}'])
    expect(source.context.logger.lines.some((line) => line.level === 'warn' && line.message.includes('truncated'))).toBe(true)
  })

  test('a line that is not JSON is rejected with its location and the rest flows on', async () => {
    await writeFile(path, `${lines({ n: 1 })}{"n": oops}\n${lines({ n: 3 })}`)
    const source = await start({ path })
    const batch = await source.pollOnce()
    expect(batch.records.map((record) => text(record.value))).toEqual(['{"n":1}', '{"n":3}'])
    expect(batch.rejected?.map((rejected) => [rejected.location, rejected.input.toString()])).toEqual([[`${path}:2`, '{"n": oops}']])
  })

  test('a key field becomes the record key; CRLF line ends and empty lines are accepted', async () => {
    await writeFile(path, '{"id":7,"v":"a"}\r\n\n{"id":"x"}\r\n')
    const source = await start({ path, keyField: 'id' })
    const batch = await source.pollOnce()
    expect(batch.records.map((record) => [record.key, text(record.value)])).toEqual([['7', '{"id":7,"v":"a"}'], ['x', '{"id":"x"}']])
  })

  test('valueAs object gives parsed values; startAt end skips what is there', async () => {
    await writeFile(path, lines({ n: 1 }))
    const source = await start({ path, valueAs: 'object', startAt: 'end' })
    await appendFile(path, lines({ n: 2 }))
    expect((await source.pollOnce()).records.map((record) => record.value)).toEqual([{ n: 2 }])
  })

  test('a batch holds at most batchSize records', async () => {
    await writeFile(path, lines(1, 2, 3, 4, 5))
    const source = await start({ path, batchSize: 2 })
    expect((await source.pollOnce()).records).toHaveLength(2)
    expect((await source.pollOnce()).records).toHaveLength(2)
    expect((await source.pollOnce()).records).toHaveLength(1)
  })

  test('a file that does not exist yet is read once it appears', async () => {
    const source = await start({ path })
    expect((await source.pollOnce()).records).toEqual([])
    await writeFile(path, lines({ n: 1 }))
    expect(await source.take(1)).toEqual(['{"n":1}'])
  })
})

describe('file-source, CSV', () => {
  beforeEach(() => {
    path = join(dir, 'in.csv')
  })

  test('rows become objects named by the header; quoted fields hold delimiters, quotes and line breaks', async () => {
    await writeFile(path, 'id,name\r\n1,"Smith, ""J"""\r\n2,"two\nlines"\n')
    const source = await start({ path, format: 'csv', keyField: 'id', valueAs: 'object' })
    const batch = await source.pollOnce()
    expect(batch.records.map((record) => [record.key, record.value])).toEqual([
      ['1', { id: '1', name: 'Smith, "J"' }],
      ['2', { id: '2', name: 'two\nlines' }],
    ])
  })

  test('a row with the wrong number of fields is rejected with its line', async () => {
    await writeFile(path, 'a;b\n1;2\n1;2;3\n"x\ny";4\n5\n')
    const source = await start({ path, format: 'csv', delimiter: ';' })
    const batch = await source.pollOnce()
    expect(batch.records.map((record) => text(record.value))).toEqual(['{"a":"1","b":"2"}', '{"a":"x\\ny","b":"4"}'])
    expect(batch.rejected?.map((rejected) => rejected.location)).toEqual([`${path}:3`, `${path}:6`])
  })

  test('given columns and no header, every row is data', async () => {
    await writeFile(path, '1,2\n')
    const source = await start({ path, format: 'csv', header: false, columns: ['x', 'y'] })
    expect(await source.take(1)).toEqual(['{"x":"1","y":"2"}'])
  })

  test('a restart past the header reads the column names from it', async () => {
    await writeFile(path, 'x,y\n1,2\n')
    const first = await start({ path, format: 'csv' })
    await first.take(1)
    await first.task.stop?.()
    await appendFile(path, '3,4\n')
    const second = await start({ path, format: 'csv' }, first.offsets)
    expect(await second.take(1)).toEqual(['{"x":"3","y":"4"}'])
  })
})

describe('file-source, overlong lines', () => {
  test('a line longer than maxLineBytes is rejected and skipped to its line break', async () => {
    const long = `{"text":"${'x'.repeat(5000)}"}`
    await writeFile(path, `${lines({ n: 1 })}${long}\n${lines({ n: 3 })}`)
    const source = await start({ path, maxLineBytes: 1000 })
    const batch = await source.pollOnce()
    expect(batch.records.map((record) => text(record.value))).toEqual(['{"n":1}', '{"n":3}'])
    expect(batch.rejected?.map((rejected) => [rejected.location, rejected.input.length])).toEqual([[`${path}:2`, 1024]])
  })

  test('a long line still being written is skipped as it grows', async () => {
    await writeFile(path, 'y'.repeat(3000))
    const source = await start({ path, maxLineBytes: 1000 })
    expect((await source.pollOnce()).rejected).toHaveLength(1)
    await appendFile(path, `${'y'.repeat(3000)}\n${lines({ n: 2 })}`)
    expect(await source.take(1)).toEqual(['{"n":2}'])
    expect(source.offsets.all()[0]?.offset.line).toBe(2)
  })
})

test('a restart inside a line being skipped skips the rest of it', async () => {
  path = join(dir, 'in.jsonl')
  await writeFile(path, `1${'2'.repeat(2000)}`)
  const first = await start({ path, maxLineBytes: 1000 })
  expect((await first.pollOnce()).rejected).toHaveLength(1)
  await first.task.stop?.()
  await appendFile(path, `3\n${lines({ n: 2 })}`)
  const second = await start({ path, maxLineBytes: 1000 }, first.offsets)
  const batch = await second.pollOnce()
  expect(batch.records.map((record) => text(record.value))).toEqual(['{"n":2}'])
  expect(batch.rejected ?? []).toEqual([])
})

test('a batch holds input bytes up to batchBytes, and at least one line', async () => {
  path = join(dir, 'in.jsonl')
  await writeFile(path, lines('aaaa', 'bbbb', 'cccc'))
  const source = await start({ path, batchBytes: 10 })
  expect((await source.pollOnce()).records.map((record) => text(record.value))).toEqual(['"aaaa"', '"bbbb"'])
  expect((await source.pollOnce()).records.map((record) => text(record.value))).toEqual(['"cccc"'])
})
