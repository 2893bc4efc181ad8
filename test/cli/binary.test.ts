import { describe, expect, it } from 'vitest'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import { partitionForKey } from '../../core/log/partitioner.js'
import { runBinary, startBinary, temporaryDataDir } from './helpers.js'

const RECORDS = 10_000
const KEYS = 100
const PARTITIONS = 3

describe('the tributary binary', { timeout: 120_000 }, () => {
  it('creates a topic, produces 10,000 keyed lines and consumes them all back, each key on its murmur2 partition', async () => {
    const dataDir = temporaryDataDir()
    const created = await runBinary(['topics', 'create', 'events', '--partitions', String(PARTITIONS), '--data', dataDir])
    expect(created).toEqual({ code: 0, stdout: 'created topic events with 3 partitions\n', stderr: '' })

    const input = Array.from({ length: RECORDS }, (_, i) => `key-${i % KEYS}:value-${i}\n`).join('')
    const produced = await runBinary(['produce', 'events', '--key-separator', ':', '--data', dataDir], input)
    expect(produced).toEqual({ code: 0, stdout: '', stderr: `produced ${RECORDS} records to events\n` })

    const consumed = await runBinary([
      'consume', 'events', '--from-beginning', '--max', String(RECORDS), '--format', 'json', '--data', dataDir,
    ])
    expect(consumed.code).toBe(0)
    const records = consumed.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; value: string; partition: number })
    expect(records).toHaveLength(RECORDS)
    expect(new Set(records.map((record) => record.value))).toEqual(
      new Set(Array.from({ length: RECORDS }, (_, i) => `value-${i}`)),
    )
    const partitionOfKey = new Map<string, number>()
    for (const { key, value, partition } of records) {
      expect(key).toBe(`key-${Number(value.slice('value-'.length)) % KEYS}`)
      const seen = partitionOfKey.get(key) ?? partition
      expect(partition).toBe(seen)
      partitionOfKey.set(key, partition)
    }
    expect(partitionOfKey.size).toBe(KEYS)
    for (const [key, partition] of partitionOfKey) {
      expect(partition).toBe(partitionForKey(Buffer.from(key), PARTITIONS))
    }
  })

  it('keeps tailing until SIGINT, then exits 0', async () => {
    const dataDir = temporaryDataDir()
    await runBinary(['topics', 'create', 'tail', '--partitions', '1', '--data', dataDir])
    await runBinary(['produce', 'tail', '--data', dataDir], 'a\nb\nc\n')
    const consumer = startBinary(['consume', 'tail', '--from-beginning', '--data', dataDir])
    consumer.child.stdin.end()
    await consumer.stdout.until((text) => text === 'a\nb\nc\n')
    consumer.child.kill('SIGINT')
    expect(await consumer.exited).toEqual({ code: 0, stdout: 'a\nb\nc\n', stderr: 'consumed 3 records from tail\n' })
  })

  it('waits the whole --timeout-ms on a quiet topic instead of exiting early', async () => {
    const dataDir = temporaryDataDir()
    await runBinary(['topics', 'create', 'quiet', '--partitions', '1', '--data', dataDir])
    const run = await runBinary(['consume', 'quiet', '--timeout-ms', '1500', '--data', dataDir])
    expect(run).toEqual({ code: 0, stdout: '', stderr: 'consumed 0 records from quiet\n' })
  })

  it('exits 2 with the usage for a bad command line', async () => {
    const run = await runBinary(['topics', 'create', 'events', '--partitions', 'many'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--partitions must be an integer')
    expect(run.stderr).toContain('Usage: tributary topics')
  })

  it('exits 1 naming the lock when another process holds the data directory', async () => {
    const dataDir = temporaryDataDir()
    const writer = await openEmbeddedLog({ dir: dataDir })
    try {
      await writer.createTopic('busy', { partitions: 1 })
      const run = await runBinary(['produce', 'busy', '--data', dataDir], 'x\n')
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^error: data directory .* is in use by process \d+.* \(TRIBUTARY_DATA_DIR_LOCKED\)\n$/)
    } finally {
      await writer.close()
    }
  })
})
