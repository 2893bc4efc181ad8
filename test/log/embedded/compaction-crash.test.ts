import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { partitionDirectory } from '../../../core/log/embedded/topic-registry.js'
import type { LogRecord } from '../../../core/log/types.js'
import { ManualClock } from '../../../core/manual-clock.js'
import { readAll, useDataDir } from './helpers.js'

const FIRST_SEGMENT = '00000000000000000000'
const plain = (record: LogRecord) => ({ offset: record.offset, key: record.key?.toString(), value: record.value?.toString() })

describe('compaction and crashes', () => {
  const data = useDataDir()
  const quiet = { warn: () => undefined }

  /** A compact topic whose first segments hold many superseded records. */
  async function compactable(logger: { warn(message: string): void } = quiet) {
    const log = await data.open({ clock: new ManualClock(1_000), logger })
    await log.createTopic('table', { partitions: 1, cleanup: 'compact', segmentBytes: 2048 })
    const producer = log.producer()
    for (let round = 0; round < 10; round++) {
      await producer.send(['a', 'b', 'c', 'd'].map((key) => ({ topic: 'table', partition: 0, key: Buffer.from(key), value: Buffer.from(`${key}${round}`.padEnd(80, '.')) })))
    }
    return log
  }

  const file = (extension: string): string => path.join(partitionDirectory(data.dir(), 'table', 0), `${FIRST_SEGMENT}${extension}`)

  test('a crash while the cleaned segment was being written leaves the old segment whole, and the leftover goes on open', async () => {
    const log = await compactable()
    const before = (await readAll(log.consumer(), 'table')).map(plain)
    await log.close()
    // What a kill mid-compaction leaves: part of the replacement beside the intact segment.
    fs.writeFileSync(file('.log.cleaned'), fs.readFileSync(file('.log')).subarray(0, 700))
    const reopened = await data.open({ clock: new ManualClock(1_000), logger: quiet })
    expect(fs.existsSync(file('.log.cleaned'))).toBe(false)
    expect((await readAll(reopened.consumer(), 'table')).map(plain)).toEqual(before)
  })

  test('a crash after the swap, before the indexes were rebuilt, serves the compacted segment', async () => {
    const log = await compactable()
    const staleIndexes = ['.index', '.timeindex'].map((extension) => [extension, fs.readFileSync(file(extension))] as const)
    const { segmentsCompacted } = await log.runMaintenance()
    expect(segmentsCompacted).toBeGreaterThan(0)
    const compacted = (await readAll(log.consumer(), 'table')).map(plain)
    await log.close()
    for (const [extension, bytes] of staleIndexes) fs.writeFileSync(file(extension), bytes)
    const reopened = await data.open({ clock: new ManualClock(1_000), logger: quiet })
    expect((await readAll(reopened.consumer(), 'table')).map(plain)).toEqual(compacted)
  })

  test('a damaged segment is left as it is, and compaction stops there with a warning', async () => {
    const log = await compactable()
    await log.close()
    const damaged = fs.readFileSync(file('.log'))
    damaged[100] = damaged[100]! ^ 0xff
    fs.writeFileSync(file('.log'), damaged)
    const warnings: string[] = []
    const reopened = await data.open({ clock: new ManualClock(1_000), logger: { warn: (message: string) => warnings.push(message) } })
    const { segmentsCompacted } = await reopened.runMaintenance()
    expect(segmentsCompacted).toBe(0)
    expect(fs.readFileSync(file('.log')).equals(damaged)).toBe(true)
    expect(fs.existsSync(file('.log.cleaned'))).toBe(false)
    expect(warnings.some((warning) => warning.includes('compaction of table-0'))).toBe(true)
  })

  test('closing the log mid-compaction leaves every segment whole and no leftover', async () => {
    const log = await compactable()
    const before = (await readAll(log.consumer(), 'table')).map(plain)
    const running = log.runMaintenance()
    await log.close()
    await running
    const directory = partitionDirectory(data.dir(), 'table', 0)
    expect(fs.readdirSync(directory).filter((name) => name.endsWith('.cleaned'))).toEqual([])
    const reopened = await data.open({ clock: new ManualClock(1_000), logger: quiet })
    const after = (await readAll(reopened.consumer(), 'table')).map(plain)
    const latest = (records: typeof before) => [...new Map(records.map((record) => [record.key, record.value]))]
    expect(latest(after)).toEqual(latest(before))
  })
})
