import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { CorruptRecordError, DataDirectoryLockedError, ReadOnlyLogError } from '../../../core/log/errors.js'
import { readAll, useDataDir } from './helpers.js'

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** Starts a child process that owns `dir`, resolving once it says ready. */
function startOwner(dir: string, ...args: string[]): Promise<{ child: ChildProcess; lines: AsyncIterator<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'lock-child.ts'), dir, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  const lines = readLines(child)
  return lines.next().then(({ value }) => {
    expect(value).toBe('ready')
    return { child, lines }
  })
}

async function* readLines(child: ChildProcess): AsyncGenerator<string> {
  let buffered = ''
  for await (const chunk of child.stdout!) {
    buffered += String(chunk)
    let newline: number
    while ((newline = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
    }
  }
}

describe('ownership of a data directory', () => {
  const data = useDataDir()

  test('a second writer gets DataDirectoryLockedError naming the directory and the owning process', async () => {
    const { child } = await startOwner(data.dir())
    const error = await data.open().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DataDirectoryLockedError)
    expect((error as DataDirectoryLockedError).ownerPid).toBe(child.pid)
    expect((error as Error).message).toContain(data.dir())
    expect((error as Error).message).toContain(String(child.pid))
  })

  test('a lock left by a killed process is taken over', async () => {
    const { child } = await startOwner(data.dir())
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    const log = await data.open()
    expect(await log.listTopics()).toEqual([])
  })

  test('a second open in the same process is refused too', async () => {
    await data.open()
    await expect(data.open()).rejects.toBeInstanceOf(DataDirectoryLockedError)
  })

  test('a read-only log opens beside the writer, sees its appends, and refuses writes', async () => {
    const { child, lines } = await startOwner(data.dir(), 'with-topic')
    const reader = await data.open({ readOnly: true })
    expect(await reader.listTopics()).toEqual(['shared'])
    const consumer = reader.consumer()
    await consumer.assign([{ topic: 'shared', partition: 0 }])
    expect((await consumer.poll({ timeoutMs: 5000 })).map((record) => String(record.value))).toEqual(['first'])
    child.stdin!.write('second\n')
    expect((await lines.next()).value).toBe('appended second')
    expect((await consumer.poll({ timeoutMs: 5000 })).map((record) => String(record.value))).toEqual(['second'])
    await expect(reader.createTopic('other', { partitions: 1 })).rejects.toBeInstanceOf(ReadOnlyLogError)
    await expect(reader.producer().send([{ topic: 'shared', value: null }])).rejects.toBeInstanceOf(ReadOnlyLogError)
  })
})

describe('what recovery tolerates', () => {
  const data = useDataDir()

  test('foreign files in a partition directory are ignored with a warning', async () => {
    const log = await data.open()
    await log.createTopic('events', { partitions: 1 })
    await log.producer().send([{ topic: 'events', partition: 0, value: Buffer.from('kept') }])
    await log.close()
    fs.writeFileSync(path.join(data.dir(), 'events-0', 'notes.txt'), 'hello')
    fs.mkdirSync(path.join(data.dir(), 'somebody-elses'))
    const warnings: string[] = []
    const reopened = await data.open({ logger: { warn: (message) => warnings.push(message) } })
    expect(warnings.some((warning) => warning.includes('notes.txt'))).toBe(true)
    expect(warnings.some((warning) => warning.includes('somebody-elses'))).toBe(true)
    expect(fs.existsSync(path.join(data.dir(), 'somebody-elses'))).toBe(true)
    expect((await readAll(reopened.consumer(), 'events')).map((record) => String(record.value))).toEqual(['kept'])
  })

  test('deleted or damaged index files are rebuilt, and lookups by offset and time still work', async () => {
    const log = await data.open()
    await log.createTopic('indexed', { partitions: 1, segmentBytes: 4096 })
    const producer = log.producer()
    for (let i = 0; i < 200; i++) await producer.send([{ topic: 'indexed', partition: 0, value: Buffer.alloc(100, i), timestamp: 1_000 + i }])
    await log.close()
    const dir = path.join(data.dir(), 'indexed-0')
    const indexes = fs.readdirSync(dir).filter((name) => name.endsWith('index'))
    fs.rmSync(path.join(dir, indexes[0]!))
    fs.writeFileSync(path.join(dir, indexes[2]!), Buffer.from('garbage!!'))
    const reopened = await data.open({ logger: { warn: () => undefined } })
    const consumer = reopened.consumer()
    await consumer.assign([{ topic: 'indexed', partition: 0 }])
    consumer.seek({ topic: 'indexed', partition: 0 }, 150)
    expect((await consumer.poll({ maxRecords: 1 }))[0]?.offset).toBe(150)
    await consumer.seekToTimestamp({ topic: 'indexed', partition: 0 }, 1_077)
    expect((await consumer.poll({ maxRecords: 1 }))[0]?.offset).toBe(77)
  })
})

describe('a read-only view beside a writer in the middle of a transaction', () => {
  const data = useDataDir()

  test('opens without touching the transaction, and read_committed shows none of it', async () => {
    const writer = await data.open()
    await writer.createTopic('orders', { partitions: 1 })
    const transaction = await writer.producer({ transactionalId: 'app-0_0' }).beginTransaction()
    await transaction.send([{ topic: 'orders', partition: 0, value: Buffer.from('pending') }])
    const reader = await data.open({ readOnly: true })
    const committed = reader.consumer({ isolation: 'read_committed' })
    await committed.assign([{ topic: 'orders', partition: 0 }])
    expect(await committed.poll()).toEqual([])
    await transaction.commit()
    const afterCommit = await data.open({ readOnly: true })
    expect((await readAll(afterCommit.consumer(), 'orders')).map((record) => String(record.value))).toEqual(['pending'])
  })
})

describe('a read-only open', () => {
  const data = useDataDir()

  function snapshot(dir: string): Map<string, string> {
    const files = new Map<string, string>()
    const walk = (at: string): void => {
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const full = path.join(at, entry.name)
        if (entry.isDirectory()) walk(full)
        else files.set(path.relative(dir, full), fs.readFileSync(full).toString('hex'))
      }
    }
    walk(dir)
    return files
  }

  test('changes nothing in the data directory, even where it rebuilds indexes in memory', async () => {
    const log = await data.open()
    await log.createTopic('kept', { partitions: 1, segmentBytes: 2048 })
    for (let i = 0; i < 60; i++) await log.producer().send([{ topic: 'kept', partition: 0, value: Buffer.alloc(100, i), timestamp: 1_000 + i }])
    await log.close()
    const partitionDir = path.join(data.dir(), 'kept-0')
    const index = fs.readdirSync(partitionDir).find((name) => name.endsWith('.index'))!
    fs.writeFileSync(path.join(partitionDir, index), Buffer.from('not an index'))
    const before = snapshot(data.dir())
    const reader = await data.open({ readOnly: true, logger: { warn: () => undefined } })
    expect(await readAll(reader.consumer(), 'kept')).toHaveLength(60)
    await reader.close()
    expect(snapshot(data.dir())).toEqual(before)
  })
})

describe('a timestamp lookup over a damaged sealed segment', () => {
  const data = useDataDir()

  test('reports the damage instead of skipping to a later segment', async () => {
    const log = await data.open()
    await log.createTopic('timed', { partitions: 1, segmentBytes: 2048 })
    for (let i = 0; i < 60; i++) await log.producer().send([{ topic: 'timed', partition: 0, value: Buffer.alloc(100, i), timestamp: 1_000 + i }])
    await log.close()
    const partitionDir = path.join(data.dir(), 'timed-0')
    const segments = fs.readdirSync(partitionDir).filter((name) => name.endsWith('.log')).sort()
    const firstSegment = path.join(partitionDir, segments[0]!)
    fs.truncateSync(firstSegment, fs.statSync(firstSegment).size - 50)
    // The record cut away is the first segment's last: one before the second segment's base offset.
    const lostTimestamp = 1_000 + Number(segments[1]!.slice(0, 20)) - 1
    const reader = await data.open({ readOnly: true, logger: { warn: () => undefined } })
    const consumer = reader.consumer()
    await consumer.assign([{ topic: 'timed', partition: 0 }])
    await expect(consumer.seekToTimestamp({ topic: 'timed', partition: 0 }, lostTimestamp)).rejects.toBeInstanceOf(CorruptRecordError)
  })
})
