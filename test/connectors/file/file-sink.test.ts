import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { ManualClock } from '../../../core/manual-clock.js'
import { parseConfig } from '../../../connectors/api/config-schema.js'
import type { SinkTask } from '../../../connectors/api/types.js'
import { fileSink } from '../../../connectors/file/index.js'
import { sinkContext, sinkRecord, type TestSinkContext } from './task-context.js'

let dir: string
const tasks: SinkTask<string, unknown>[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-sink-'))
})

afterEach(async () => {
  for (const task of tasks.splice(0)) await task.stop?.().catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
})

async function start(config: Record<string, unknown>, context: TestSinkContext = sinkContext()): Promise<SinkTask<string, unknown>> {
  const task = await fileSink.start(parseConfig(fileSink.config, { directory: dir, ...config }, 'config'), context)
  tasks.push(task)
  return task
}

const records = (...values: unknown[]) => values.map((value, index) => sinkRecord(value, index))
const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8')

describe('file-sink', () => {
  test('flush writes the records put so far to the file in progress', async () => {
    const task = await start({ prefix: 'out' })
    await task.put(records({ n: 1 }, 'two', Buffer.from('{"raw":3}')))
    await task.flush()
    expect(await readdir(dir)).toEqual(['out-000001.jsonl.inprogress'])
    expect(await read('out-000001.jsonl.inprogress')).toBe('{"n":1}\n"two"\n{"raw":3}\n')
  })

  test('a file is completed once it reaches rollBytes; names sort in order', async () => {
    const task = await start({ rollBytes: 16 })
    await task.put(records({ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }))
    await task.flush()
    expect((await readdir(dir)).sort()).toEqual(['records-000001.jsonl', 'records-000002.jsonl', 'records-000003.jsonl.inprogress'])
    expect(await read('records-000001.jsonl')).toBe('{"n":1}\n{"n":2}\n')
    expect(await read('records-000003.jsonl.inprogress')).toBe('{"n":5}\n')
  })

  test('a file is completed rollInterval after it was created', async () => {
    const clock = new ManualClock(0)
    const task = await start({ rollInterval: '1m' }, sinkContext({ clock }))
    await task.put(records({ n: 1 }))
    await task.flush()
    clock.advance(59_999)
    await task.flush()
    expect(await readdir(dir)).toEqual(['records-000001.jsonl.inprogress'])
    clock.advance(1)
    await task.flush()
    expect(await readdir(dir)).toEqual(['records-000001.jsonl'])
    await task.put(records({ n: 2 }))
    await task.flush()
    expect((await readdir(dir)).sort()).toEqual(['records-000001.jsonl', 'records-000002.jsonl.inprogress'])
  })

  test('stop completes the file in progress; a restart numbers on', async () => {
    const first = await start({})
    await first.put(records({ n: 1 }))
    await first.flush()
    await first.stop?.()
    const second = await start({})
    await second.put(records({ n: 2 }))
    await second.stop?.()
    expect((await readdir(dir)).sort()).toEqual(['records-000001.jsonl', 'records-000002.jsonl'])
  })

  test('a file left in progress by a crash is cut after its last whole line and completed', async () => {
    await writeFile(join(dir, 'records-000004.jsonl.inprogress'), '{"n":1}\n{"n":')
    const context = sinkContext()
    const task = await start({}, context)
    expect(await readdir(dir)).toEqual(['records-000004.jsonl'])
    expect(await read('records-000004.jsonl')).toBe('{"n":1}\n')
    expect(context.logger.lines.some((line) => line.level === 'warn')).toBe(true)
    await task.put(records({ n: 2 }))
    await task.flush()
    expect((await readdir(dir)).sort()).toEqual(['records-000004.jsonl', 'records-000005.jsonl.inprogress'])
  })

  test('CSV rows of the configured columns, quoted where needed, a header per file', async () => {
    const context = sinkContext()
    const task = await start({ format: 'csv', columns: ['id', 'name'] }, context)
    await task.put(records({ id: 1, name: 'Smith, "J"' }, { id: 2 }, 'not a row'))
    await task.stop?.()
    expect(await read('records-000001.csv')).toBe('id,name\n1,"Smith, ""J"""\n2,\n')
    expect(context.deadLetters.map((dead) => dead.record.value)).toEqual(['not a row'])
  })

  test('a value holding a line break cannot be a JSON line and goes to the dead letters', async () => {
    const context = sinkContext()
    const task = await start({}, context)
    await task.put(records(Buffer.from('{\n}'), { ok: true }))
    await task.flush()
    expect(context.deadLetters).toHaveLength(1)
    expect(await read('records-000001.jsonl.inprogress')).toBe('{"ok":true}\n')
  })
})
