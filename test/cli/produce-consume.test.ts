import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import { CapturedOutput, runCli, temporaryDataDir } from './helpers.js'

interface JsonRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers: { key: string; value: string }[]
}

async function createTopic(dataDir: string, name: string, partitions = 1): Promise<void> {
  const run = await runCli(['topics', 'create', name, '--partitions', String(partitions), '--data', dataDir])
  expect(run.code).toBe(0)
}

async function consumeJson(dataDir: string, topic: string, extra: readonly string[]): Promise<JsonRecord[]> {
  const run = await runCli(['consume', topic, '--format', 'json', '--data', dataDir, ...extra])
  expect(run.code).toBe(0)
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonRecord)
}

describe('tributary produce and consume', () => {
  it('produces one record per line and reports the count on stderr', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'lines')
    const run = await runCli(['produce', 'lines', '--data', dataDir], { stdin: 'one\ntwo\nthree\n' })
    expect(run).toEqual({ code: 0, stdout: '', stderr: 'produced 3 records to lines\n' })
    const consumed = await runCli(['consume', 'lines', '--from-beginning', '--max', '3', '--data', dataDir])
    expect(consumed.code).toBe(0)
    expect(consumed.stdout).toBe('one\ntwo\nthree\n')
    expect(consumed.stderr).toBe('consumed 3 records from lines\n')
  })

  it('takes an empty line in the middle as a record with an empty value, but not a trailing newline', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'lines')
    const run = await runCli(['produce', 'lines', '--data', dataDir], { stdin: 'a\n\nb' })
    expect(run.stderr).toBe('produced 3 records to lines\n')
    const records = await consumeJson(dataDir, 'lines', ['--from-beginning', '--max', '3'])
    expect(records.map((record) => record.value)).toEqual(['a', '', 'b'])
  })

  it('splits key and value at the first separator; a line without one gets a null key', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'kv')
    await runCli(['produce', 'kv', '--key-separator', '::', '--data', dataDir], {
      stdin: 'user-1::login\nno separator here\nuser-2::a::b\n::empty key\n',
    })
    const records = await consumeJson(dataDir, 'kv', ['--from-beginning', '--max', '4'])
    expect(records.map(({ key, value }) => ({ key, value }))).toEqual([
      { key: 'user-1', value: 'login' },
      { key: null, value: 'no separator here' },
      { key: 'user-2', value: 'a::b' },
      { key: '', value: 'empty key' },
    ])
  })

  it('prints every field in json format and null values as empty lines in text format', async () => {
    const dataDir = temporaryDataDir()
    const log = await openEmbeddedLog({ dir: dataDir })
    try {
      await log.createTopic('mixed', { partitions: 1 })
      const producer = log.producer()
      await producer.send([
        {
          topic: 'mixed',
          key: Buffer.from('k1'),
          value: Buffer.from('héllo'),
          headers: [{ key: 'h', value: Buffer.from('x') }],
          timestamp: 1000,
        },
        { topic: 'mixed', key: Buffer.from('k2'), value: null, timestamp: 2000 },
      ])
      await producer.close()
    } finally {
      await log.close()
    }
    const records = await consumeJson(dataDir, 'mixed', ['--from-beginning', '--max', '2'])
    expect(records).toEqual([
      {
        topic: 'mixed',
        partition: 0,
        offset: 0,
        timestamp: 1000,
        key: 'k1',
        value: 'héllo',
        headers: [{ key: 'h', value: 'x' }],
      },
      { topic: 'mixed', partition: 0, offset: 1, timestamp: 2000, key: 'k2', value: null, headers: [] },
    ])
    const text = await runCli(['consume', 'mixed', '--from-beginning', '--max', '2', '--format', 'text', '--data', dataDir])
    expect(text.stdout).toBe('héllo\n\n')
  })

  it('stops after --max records', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'many', 3)
    await runCli(['produce', 'many', '--data', dataDir], { stdin: Array.from({ length: 50 }, (_, i) => `v${i}\n`).join('') })
    const run = await runCli(['consume', 'many', '--from-beginning', '--max', '7', '--data', dataDir])
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n').filter((line) => line !== '')).toHaveLength(7)
  })

  it('starts at the end without --from-beginning, and stops after --timeout-ms without records', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'old')
    await runCli(['produce', 'old', '--data', dataDir], { stdin: 'before\n' })
    const run = await runCli(['consume', 'old', '--timeout-ms', '50', '--data', dataDir])
    expect(run).toEqual({ code: 0, stdout: '', stderr: 'consumed 0 records from old\n' })
  })

  it('with --group, commits after printing, so the next run continues where the last stopped', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'jobs', 2)
    await runCli(['produce', 'jobs', '--data', dataDir], { stdin: Array.from({ length: 10 }, (_, i) => `job-${i}\n`).join('') })
    const group = ['--group', 'workers', '--from-beginning', '--format', 'json']
    const first = await consumeJson(dataDir, 'jobs', [...group, '--max', '4'])
    const second = await consumeJson(dataDir, 'jobs', [...group, '--timeout-ms', '200'])
    expect(first).toHaveLength(4)
    expect(second).toHaveLength(6)
    const values = [...first, ...second].map((record) => record.value).sort()
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => `job-${i}`).sort())
  })

  it('keeps tailing without --max and --timeout-ms until interrupted, then exits 0', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'tail')
    await runCli(['produce', 'tail', '--data', dataDir], { stdin: 'a\nb\nc\n' })
    const stdout = new CapturedOutput()
    const interrupt = new AbortController()
    const running = runCli(['consume', 'tail', '--from-beginning', '--data', dataDir], { stdout, signal: interrupt.signal })
    await stdout.until((text) => text === 'a\nb\nc\n')
    interrupt.abort()
    const run = await running
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('a\nb\nc\n')
  })

  it('consumes without --group while another handle holds the data directory for writing', async () => {
    const dataDir = temporaryDataDir()
    const writer = await openEmbeddedLog({ dir: dataDir })
    try {
      await writer.createTopic('live', { partitions: 2 })
      const producer = writer.producer()
      const records = Array.from({ length: 20 }, (_, i) => ({
        topic: 'live',
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`),
      }))
      await producer.send(records)
      await producer.close()

      const consumed = await consumeJson(dataDir, 'live', ['--from-beginning', '--max', '20'])
      expect(consumed.map((record) => record.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort())
      expect((await runCli(['topics', 'list', '--data', dataDir])).stdout).toBe('live\n')
      expect((await runCli(['topics', 'describe', 'live', '--data', dataDir])).code).toBe(0)
    } finally {
      await writer.close()
    }
  })

  it('refuses to write while another handle holds the data directory, naming the lock', async () => {
    const dataDir = temporaryDataDir()
    const writer = await openEmbeddedLog({ dir: dataDir })
    try {
      await writer.createTopic('busy', { partitions: 1 })
      for (const args of [
        ['produce', 'busy'],
        ['consume', 'busy', '--group', 'g', '--max', '1'],
        ['topics', 'create', 'other', '--partitions', '1'],
        ['topics', 'delete', 'busy'],
      ]) {
        const run = await runCli([...args, '--data', dataDir], { stdin: 'x\n' })
        expect(run.code).toBe(1)
        expect(run.stderr).toMatch(/^error: .* \(TRIBUTARY_DATA_DIR_LOCKED\)\n$/)
      }
    } finally {
      await writer.close()
    }
  })

  it('stops producing when interrupted before the end of stdin, exit 130', async () => {
    const dataDir = temporaryDataDir()
    await createTopic(dataDir, 'endless')
    const stdin = new PassThrough()
    const interrupt = new AbortController()
    const running = runCli(['produce', 'endless', '--data', dataDir], { stdin, signal: interrupt.signal })
    interrupt.abort()
    const run = await running
    expect(run.code).toBe(130)
    expect(run.stderr).toMatch(/^produced \d+ records to endless\n$/)
  })
})
